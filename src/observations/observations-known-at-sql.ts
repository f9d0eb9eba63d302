import { sql, type RawBuilder } from 'kysely';

/**
 * The observations as Pacer had recorded them at `knownAt` (transaction time), under `alias`: the
 * one place every read of values (the evaluation's latest values, aggregates and checkpoints, the
 * target page's series and breakdown, the reports) takes its rows from, so "as known at" means the
 * same everywhere. Each key appears at most once, with the value it had then: a value recorded
 * after `knownAt` is absent; a value replaced after `knownAt` reads as the old value (with the old
 * note, batch and recording instant). `knownAt` covers its whole millisecond.
 *
 * The rows: indicator_id, region_id, observed_at, dims, value, note, batch_id, recorded_at.
 * Without `knownAt` it is the table itself, so the queries of "now" are exactly the plain ones.
 *
 * A UNION ALL of two selects: conditions of the query around it (a series, a time range, a join on
 * the key) are pushed into both, each read by its key index (the observations' primary key, the
 * revisions' key index). The two sides never hold the same key at one `knownAt`: the current row is
 * recorded when its last revision replaced the old value, and the revisions of a key tile the time
 * before that. For "the newest value of a series" use {@link newestKnownAt}, which keeps that one
 * index probe per side.
 */
export function observationsKnownAt(knownAt: Date | undefined, alias: string): RawBuilder<unknown> {
  if (!knownAt) return sql`observations as ${sql.id(alias)}`;
  const after = afterKnownAt(knownAt);
  return sql`(
      select indicator_id, region_id, observed_at, dims, value, note, batch_id, recorded_at
      from observations
      where recorded_at < ${after}
      union all
      select indicator_id, region_id, observed_at, dims, old_value, old_note, old_batch_id, old_recorded_at
      from observation_revisions
      where old_recorded_at < ${after} and revised_at >= ${after}
    ) as ${sql.id(alias)}`;
}

/**
 * A statement giving the newest observation (`observed_at`, `value`) of those matching `where` (a
 * condition on the key columns of `o`: indicator_id, region_id, dims, observed_at; one series and a
 * bound on observed_at), as known at `knownAt`; one row or none, for a lateral join. Live, one index
 * probe backwards. As known at an instant, one on each side, merged: PostgreSQL does not push a
 * LIMIT into the sides of a UNION ALL with conditions of their own, so each side has its own (read
 * as one set, every value of the series up to the bound would be read and sorted, for each series).
 */
export function newestKnownAt(knownAt: Date | undefined, where: RawBuilder<unknown>): RawBuilder<unknown> {
  if (!knownAt)
    return sql`select o.observed_at, o.value from observations o where ${where} order by o.observed_at desc limit 1`;
  const after = afterKnownAt(knownAt);
  return sql`select observed_at, value from (
      (select o.observed_at, o.value from observations o
       where ${where} and o.recorded_at < ${after}
       order by o.observed_at desc limit 1)
      union all
      (select o.observed_at, o.old_value from observation_revisions o
       where ${where} and o.old_recorded_at < ${after} and o.revised_at >= ${after}
       order by o.observed_at desc limit 1)
    ) as newest order by observed_at desc limit 1`;
}

/** The first instant after `knownAt`'s millisecond: a value recorded before it was known at `knownAt`. */
const afterKnownAt = (knownAt: Date) => new Date(knownAt.getTime() + 1);
