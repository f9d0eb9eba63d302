import { sql, type Kysely } from 'kysely';

/**
 * The series each batch wrote (indicator id → region ids), so that the evaluation after a batch
 * re-evaluates only the targets those series reach instead of every target. Null when the batch
 * wrote too many series to list, or was written before this column: a full evaluation follows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table ingest_batches add column series jsonb').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table ingest_batches drop column if exists series').execute(db);
}
