import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import { UnavailableError } from '../errors/pacer-error.js';
import { migrations } from './migrations/index.js';

/**
 * Brings the schema up to date; returns the names of the migrations it ran (none when current).
 * The migration bookkeeping tables live in the connection's current schema, named explicitly:
 * left unqualified, kysely looks for them in every schema and, finding another Pacer's (a test
 * file's, a second instance's), would skip creating its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  // Features are built in parallel with numbers handed out up front, so a database may have run
  // 0003 before 0002 existed: run whatever has not run yet, rather than refuse to start.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: rows[0]!.schema,
    allowUnorderedMigrations: true,
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely looks for its bookkeeping table by listing every schema's tables; a schema dropped meanwhile by
  // another Pacer in the same database (a test file's, a benchmark's) fails that listing. Only that is retried.
  for (let attempt = 1; error && droppedMeanwhile(error, rows[0]!.schema) && attempt <= 5; attempt++)
    ({ error, results } = await migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new UnavailableError(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, {
      cause: error,
      code: 'migration_failed',
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True for PostgreSQL's "schema ... does not exist" about another schema than ours. */
function droppedMeanwhile(error: unknown, ours: string): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '3F000' && !String(e.message).includes(`"${ours}"`);
}
