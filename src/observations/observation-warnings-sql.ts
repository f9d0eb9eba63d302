/**
 * The SQL that finds data-quality warnings (see `domain/observations/observation-warnings.ts`)
 * after a batch's upserts, in the batch's transaction: one statement per group of series the batch
 * touched, not one query per record.
 */
import { warningThresholds as t } from '../domain/observations/observation-warnings.js';

/** observed_at travels as epoch milliseconds. */
const at = (column: string) => `'epoch'::timestamptz + ${column} * interval '1 millisecond'`;
const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
const sameSeries = 'o.indicator_id = s.indicator_id and o.region_id = s.region_id and o.dims = s.dims';

/**
 * Checks the series `$2..$8` (indicator, region id, dims, the batch's first and last observed_at
 * in it as epoch ms, whether to check decreases and jumps) for the values batch `$1` wrote, and
 * the value right after each (a backfill can make a stored later value a decrease). Per series it
 * reads, by the primary key, the `trailingPoints` values before the batch's first one, the values
 * between its first and last, and the one after; window functions give each value its previous
 * one and the trailing least-squares pace. Stored flags of the checked values are brought up to
 * date: new ones inserted (a flag already stored is kept, not duplicated), ones that no longer
 * hold (a corrected value) deleted. Returns the flags of the checked values.
 */
export const warningsSql = `with s as materialized (
    select * from unnest($2::text[], $3::int[], $4::jsonb[], $5::float8[], $6::float8[], $7::bool[], $8::bool[])
      with ordinality as s(indicator_id, region_id, dims, min_ms, max_ms, decrease, jump, n)
  ),
  points as (
    select s.n, s.indicator_id, s.region_id, s.dims, s.decrease, s.jump, p.observed_at, p.value, p.batch_id
    from s cross join lateral (
      (select o.observed_at, o.value, o.batch_id from observations o
        where ${sameSeries} and o.observed_at < ${at('s.min_ms')}
        order by o.observed_at desc limit ${t.trailingPoints})
      union all
      (select o.observed_at, o.value, o.batch_id from observations o
        where ${sameSeries} and o.observed_at >= ${at('s.min_ms')} and o.observed_at <= ${at('s.max_ms')})
      union all
      (select o.observed_at, o.value, o.batch_id from observations o
        where ${sameSeries} and o.observed_at > ${at('s.max_ms')}
        order by o.observed_at limit 1)
    ) p
  ),
  windowed as (
    select points.*,
      lag(value) over k as previous_value, lag(observed_at) over k as previous_at,
      lag(batch_id) over k as previous_batch,
      regr_slope(value, extract(epoch from observed_at) / 86400) over tw as pace,
      count(*) over tw as trailing_points
    from points
    window k as (partition by n order by observed_at),
      tw as (k rows between ${t.trailingPoints} preceding and 1 preceding)
  ),
  checked as materialized (
    select n, indicator_id, region_id, dims, observed_at, value, previous_value, previous_at, pace,
      batch_id is not distinct from $1::bigint as written,
      previous_batch is not distinct from $1::bigint as after_written,
      coalesce(decrease and value < previous_value, false) as is_decrease,
      coalesce(jump and value > previous_value and trailing_points >= ${t.minTrailingPoints} and pace > 0
        and (value - previous_value) / greatest(extract(epoch from observed_at - previous_at) / 86400, 1)
          > ${t.jumpFactor} * pace, false) as is_jump
    from windowed
    where batch_id is not distinct from $1::bigint or previous_batch is not distinct from $1::bigint
  ),
  flags as (
    select c.n, c.indicator_id, c.region_id, c.dims, c.observed_at, f.code, c.value, c.previous_value, c.previous_at,
      case when f.code = 'jump' then c.pace end as pace, c.written, c.after_written
    from checked c cross join lateral (values ('decrease', c.is_decrease), ('jump', c.is_jump)) f(code, hit)
    where f.hit
  ),
  cleared as (
    delete from observation_warnings w using checked c
    where w.indicator_id = c.indicator_id and w.region_id = c.region_id and w.observed_at = c.observed_at
      and w.dims = c.dims and ((w.code = 'decrease' and not c.is_decrease) or (w.code = 'jump' and not c.is_jump))
  ),
  stored as (
    insert into observation_warnings as w (indicator_id, region_id, observed_at, dims, code, value, previous_value,
      previous_observed_at, pace_per_day, batch_id)
    select indicator_id, region_id, observed_at, dims, code, value, previous_value, previous_at, pace, $1::bigint
    from flags
    on conflict (indicator_id, region_id, observed_at, dims, code) do update
      set value = excluded.value, previous_value = excluded.previous_value,
        previous_observed_at = excluded.previous_observed_at, pace_per_day = excluded.pace_per_day,
        batch_id = excluded.batch_id, created_at = now()
      where (w.value, w.previous_value, w.previous_observed_at, w.pace_per_day)
        is distinct from (excluded.value, excluded.previous_value, excluded.previous_observed_at, excluded.pace_per_day)
  )
  select (n - 1)::int as series, code, ${ms('observed_at')} as at_ms, value,
    ${ms('previous_at')} as previous_ms, previous_value, pace, written, after_written
  from flags
  order by n, observed_at, code`;

/** A row of {@link warningsSql}. */
export interface WarningRow {
  /** 0-based position of the series in the arrays. */
  series: number;
  code: 'decrease' | 'jump';
  at_ms: number;
  value: number;
  previous_ms: number;
  previous_value: number;
  pace: number | null;
  /** The flagged value was written by this batch. */
  written: boolean;
  /** The value before it was written by this batch (a backfill before a stored value). */
  after_written: boolean;
}
