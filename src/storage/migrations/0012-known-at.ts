import { sql, type Kysely } from 'kysely';

/**
 * Two time axes. An observation's `observed_at` is when its value holds (valid time); when Pacer
 * recorded it is transaction time. The current value keeps `recorded_at` (from now on its batch's
 * `started_at`); each revision now keeps, beside `revised_at` (when the old value was replaced),
 * when the old value had been recorded (`old_recorded_at`) and its note, so the value of a key as it
 * stood at any instant T is the current row if recorded by T, else the revision whose old value was
 * recorded by T and replaced after it (see `observations-known-at-sql.ts`).
 *
 * Revisions written before this migration get `old_recorded_at` from the revision before them (its
 * `revised_at` is when the value it wrote was recorded), else from the start of the batch that wrote
 * the old value; only a revision with neither (a value written outside a batch) falls back to the
 * observation's own date, no later than the revision.
 *
 * The key index of the revisions becomes covering: an evaluation "as known at" T probes the
 * revisions of every series it reads, and with the columns it needs in the index those probes are
 * index-only scans.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    sql`alter table observation_revisions add column old_recorded_at timestamptz, add column old_note text`,
    sql`with chain as (
          select id, lag(revised_at) over (partition by indicator_id, region_id, observed_at, dims
                                           order by revised_at, id) as previous
          from observation_revisions
        )
        update observation_revisions r
        set old_recorded_at = coalesce(
          c.previous,
          (select b.started_at from ingest_batches b where b.id = r.old_batch_id and b.started_at <= r.revised_at),
          least(r.observed_at, r.revised_at))
        from chain c
        where c.id = r.id`,
    sql`alter table observation_revisions alter column old_recorded_at set not null`,
    sql`drop index if exists observation_revisions_key_idx`,
    sql`create index observation_revisions_key_idx on observation_revisions (indicator_id, region_id, observed_at)
        include (dims, old_value, old_recorded_at, revised_at)`,
  ]) {
    await statement.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    sql`drop index if exists observation_revisions_key_idx`,
    sql`create index observation_revisions_key_idx on observation_revisions (indicator_id, region_id, observed_at)`,
    sql`alter table observation_revisions drop column if exists old_recorded_at, drop column if exists old_note`,
  ]) {
    await statement.execute(db);
  }
}
