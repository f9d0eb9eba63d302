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
/** An interval in days (fractional). */
const days = (interval: string) => `(extract(epoch from ${interval}) / 86400)`;

/**
 * Checks the series `$2..$8` (indicator, region id, dims, the batch's first and last observed_at
 * in it as epoch ms, whether to check decreases and jumps) for the values batch `$1` wrote, and
 * the value right after each (a backfill can make a stored later value a decrease). Per series,
 * in one lateral subquery: the `trailingPoints` values before the batch's first one, the values
 * between its first and last, and the one after, each by the primary key (a merge of three index
 * scans, already in time order); window functions give each value the one before it and the start
 * of its trailing window; only flagged values leave the subquery, so a million clean rows
 * materialize nothing. Stored flags of the checked values are brought up to date: new ones
 * inserted (a flag already stored is kept, not duplicated), ones that no longer hold (a corrected
 * value) deleted. Returns the flags of the checked values.
 */
export const warningsSql = `with s as materialized (
    select * from unnest($2::text[], $3::int[], $4::jsonb[], $5::float8[], $6::float8[], $7::bool[], $8::bool[])
      with ordinality as s(indicator_id, region_id, dims, min_ms, max_ms, decrease, jump, n)
  ),
  found as materialized (
    select s.n, s.indicator_id, s.region_id, s.dims, w.*
    from s cross join lateral (
      select observed_at, value, previous_at, previous_value, coalesce(batch_id = $1::bigint, false) as written,
        case when value > previous_value then (previous_value - first_value) / ${days('previous_at - first_at')} end
          as pace
      from (
        select observed_at, value, batch_id,
          lag(value) over k as previous_value, lag(observed_at) over k as previous_at,
          lag(batch_id) over k as previous_batch,
          first_value(value) over tw as first_value, first_value(observed_at) over tw as first_at,
          count(*) over tw as trailing_points
        from (
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
        window k as (order by observed_at), tw as (k rows between ${t.trailingPoints} preceding and 1 preceding)
      ) w
      where (batch_id = $1::bigint or previous_batch = $1::bigint)
        and ((s.decrease and value < previous_value)
          or (s.jump and value > previous_value and trailing_points >= ${t.minTrailingPoints}
            and previous_at > first_at and previous_value > first_value
            and (value - previous_value) / greatest(${days('observed_at - previous_at')}, 1)
              > ${t.jumpFactor} * ((previous_value - first_value) / ${days('previous_at - first_at')})))
    ) w
  ),
  flags as (
    select f.n, f.indicator_id, f.region_id, f.dims, f.observed_at, f.value, f.previous_at, f.previous_value,
      f.written, case when f.value > f.previous_value then 'jump' else 'decrease' end as code,
      case when f.value > f.previous_value then f.pace end as pace
    from found f
  ),
  cleared as (
    delete from observation_warnings w using s
    where w.indicator_id = s.indicator_id and w.region_id = s.region_id and w.dims = s.dims
      and w.observed_at >= ${at('s.min_ms')}
      and not exists (select 1 from flags f where f.n = s.n and f.observed_at = w.observed_at and f.code = w.code)
      and (exists (select 1 from observations o where ${sameSeries} and o.observed_at = w.observed_at
            and o.batch_id = $1::bigint)
        or (select o.batch_id from observations o where ${sameSeries} and o.observed_at < w.observed_at
            order by o.observed_at desc limit 1) = $1::bigint)
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
    ${ms('previous_at')} as previous_ms, previous_value, pace, written
  from flags
  order by n, observed_at, code`;
