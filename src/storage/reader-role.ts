import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logging/logger.js';
import type { DB } from './database-schema.js';

/**
 * Lets the read-only role log in with the given password and find Pacer's tables (its search path
 * is set to Pacer's schema). Failing (no privilege) is logged, not fatal: dashboards are optional.
 */
export async function enableReaderLogin(db: Kysely<DB>, password: string, logger: Logger): Promise<void> {
  try {
    const literal = `'${password.replaceAll("'", "''")}'`;
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    await sql.raw(`alter role pacer_reader with login password ${literal}`).execute(db);
    await sql.raw(`alter role pacer_reader set search_path = "${rows[0]!.schema.replaceAll('"', '""')}"`).execute(db);
    logger.info('read-only role pacer_reader can log in (PACER_READER_PASSWORD)');
  } catch (error) {
    logger.warn(
      { err: error },
      "could not enable the read-only role pacer_reader; Grafana's PostgreSQL panels need it",
    );
  }
}
