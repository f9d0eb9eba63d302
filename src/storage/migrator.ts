import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import { UnavailableError } from '../errors/pacer-error.js';
import { migrations } from './migrations/index.js';

/** Brings the schema up to date; returns the names of the migrations it ran (none when current). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new UnavailableError(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, { cause: error, code: 'migration_failed' });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
