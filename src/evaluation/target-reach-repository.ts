import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ReachFacts } from '../domain/evaluation/target-evaluation.js';
import { observationsKnownAt } from '../observations/observations-known-at-sql.js';
import type { DB } from '../storage/database-schema.js';

/** What the batches committed since an instant changed (see `EvaluationStore.changesSince`). */
type ChangesSince = (since: Date) => Promise<{ catalogChanged: boolean; series: Map<string, number[]> | null }>;

/** A target's own series: whether it has values by the instant asked for, and when it first met the target. */
export interface SeriesReach {
  hasValues: boolean;
  reach: ReachFacts;
}

interface ReachRow {
  id: string;
  has_values: boolean;
  at_least_by: Date | null;
  at_least_after: Date | null;
  at_most_by: Date | null;
  at_most_after: Date | null;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);

/**
 * When each target's own series first met its target value, the only fact of an evaluation that
 * depends on a series' whole history. Each evaluation brings the `target_reach` table forward: a
 * target's row counted the values dated up to `through`, so the next evaluation reads only those
 * dated after it (an index range per series), unless the row can no longer be trusted — the
 * target's value or deadline changed, a catalog apply or a batch too large to list its series came
 * since, a batch since wrote the series (a value back-dated or revised), or the instant asked for
 * is before `through` — and then the whole series is read, as without the table. Values reach
 * `observations` only through the ingest, which records the series each batch wrote; anything
 * else that writes there must empty this table. As known at an earlier instant (`knownAt`), the
 * table is neither read nor written: every series is read whole, as it stood then.
 */
export class TargetReachRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly deps: { changesSince: ChangesSince; unseenMarginMs: number; knownAt?: Date },
  ) {}

  /** Reach of every target's own series through `asOf` (only `targetIds`' when given), rows brought forward. */
  async reach(asOf: Date, targetIds?: readonly string[]): Promise<Map<string, SeriesReach>> {
    const only = targetIds ? sql`where t.id = any(${[...targetIds]}::text[])` : sql``;
    const knownAt = this.deps.knownAt;
    const oldest = knownAt ? null : await this.oldestRow(only);
    // The batches committed since the oldest row was computed (and a margin: a batch whose commit a
    // statement did not see may have finished just before it started) tell which rows are stale.
    const changes = oldest
      ? await this.deps.changesSince(new Date(oldest.getTime() - this.deps.unseenMarginMs))
      : { catalogChanged: false, series: new Map<string, number[]>() };
    const usable = !knownAt && !changes.catalogChanged && changes.series !== null;
    const touched = [...(changes.series ?? [])].flatMap(([indicator, regions]) =>
      regions.map((region) => [indicator, region] as const),
    );
    const rows = await sql<ReachRow>`
      with touched (indicator_id, region_id) as (
        select * from unnest(${touched.map((t) => t[0])}::text[], ${touched.map((t) => t[1])}::int[])
      ),
      scope as (
        select t.id, t.indicator_id, t.region_id, t.target_value, t.deadline, r.has_values as cached_values,
               r.at_least_by as c_at_least_by, r.at_least_after as c_at_least_after,
               r.at_most_by as c_at_most_by, r.at_most_after as c_at_most_after,
               case when ${usable}::boolean and r.target_value = t.target_value and r.deadline = t.deadline
                         and r.through <= ${asOf}::timestamptz
                         and not exists (select 1 from touched x
                                         where x.indicator_id = t.indicator_id and x.region_id = t.region_id)
                    then r.through end as since
        from targets t left join target_reach r on r.target_id = t.id
        ${only}
      ),
      computed as (
        select s.id, s.target_value, s.deadline,
               coalesce(s.since is not null and s.cached_values, false) or d.n > 0 as has_values,
               least(case when s.since is not null then s.c_at_least_by end, d.at_least_by) as at_least_by,
               least(case when s.since is not null then s.c_at_least_after end, d.at_least_after) as at_least_after,
               least(case when s.since is not null then s.c_at_most_by end, d.at_most_by) as at_most_by,
               least(case when s.since is not null then s.c_at_most_after end, d.at_most_after) as at_most_after
        from scope s
        cross join lateral (
          select count(*) as n,
                 min(o.observed_at) filter (where o.value >= s.target_value and o.observed_at <= s.deadline)
                   as at_least_by,
                 min(o.observed_at) filter (where o.value >= s.target_value and o.observed_at > s.deadline)
                   as at_least_after,
                 min(o.observed_at) filter (where o.value <= s.target_value and o.observed_at <= s.deadline)
                   as at_most_by,
                 min(o.observed_at) filter (where o.value <= s.target_value and o.observed_at > s.deadline)
                   as at_most_after
          from ${observationsKnownAt(knownAt, 'o')}
          where o.indicator_id = s.indicator_id and o.region_id = s.region_id and o.dims = '{}'::jsonb
            and o.observed_at <= ${asOf}::timestamptz
            and o.observed_at > coalesce(s.since, '-infinity'::timestamptz)
        ) d
      )
      ${knownAt ? sql`` : this.save(asOf)}
      select id, has_values, at_least_by, at_least_after, at_most_by, at_most_after from computed`.execute(this.db);
    return new Map(
      rows.rows.map((r) => [
        r.id,
        {
          hasValues: r.has_values,
          reach: {
            at_least: { byDeadline: ms(r.at_least_by), afterDeadline: ms(r.at_least_after) },
            at_most: { byDeadline: ms(r.at_most_by), afterDeadline: ms(r.at_most_after) },
          },
        },
      ]),
    );
  }

  /** When the oldest row of the targets in scope was computed; null when none has one. */
  private async oldestRow(only: RawBuilder<unknown>): Promise<Date | null> {
    const { rows } = await sql<{ oldest: Date | null }>`
      select min(r.computed_at) as oldest from target_reach r join targets t on t.id = r.target_id ${only}`.execute(
      this.db,
    );
    return rows[0]?.oldest ?? null;
  }

  /** The statement's part that brings the rows forward to `asOf` (a data-modifying CTE over `computed`). */
  private save(asOf: Date) {
    return sql`,
      saved as (
        insert into target_reach (target_id, target_value, deadline, through, computed_at, has_values,
                                  at_least_by, at_least_after, at_most_by, at_most_after)
        select id, target_value, deadline, ${asOf}::timestamptz, statement_timestamp(), has_values,
               at_least_by, at_least_after, at_most_by, at_most_after
        from computed order by id
        on conflict (target_id) do update
          set target_value = excluded.target_value, deadline = excluded.deadline, through = excluded.through,
              computed_at = excluded.computed_at, has_values = excluded.has_values,
              at_least_by = excluded.at_least_by, at_least_after = excluded.at_least_after,
              at_most_by = excluded.at_most_by, at_most_after = excluded.at_most_after
          -- A view of the past does not move a row back; a row for another value or deadline is replaced.
          where excluded.through >= target_reach.through or excluded.target_value <> target_reach.target_value
             or excluded.deadline <> target_reach.deadline
      )`;
  }
}
