import { sql, type Kysely } from 'kysely';

/**
 * The rules a ministry reads the scorecard by:
 *
 * - A bare date means the end of that day in the directive's (or region's) time zone, inclusive: a value
 *   reported for 30 June, a baseline of 30 June and a deadline "June 2023" are all 30 June 23:59:59.999,
 *   so a value dated 1 July is after that deadline. Until now a bare observation date was stored as the
 *   start of its day and a deadline as the next midnight; both move to the new instant here. An observation
 *   at exactly local midnight can only have come from a bare date (a feed sending an explicit midnight is
 *   read the same way, which is what a midnight reading means: the count at the end of the previous day
 *   is the same count, but here it keeps its own day).
 * - Indicators declare the way their value can only move (`monotone`); cumulative ones grow.
 * - A rolled-up target has a minimum coverage (`min_coverage`, null: the default of 1).
 * - Each stored evaluation keeps its reason code, its explanation, the actual value at the deadline and
 *   whether the value was a partial rollup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const endOfDay = (date: string, zone: string) =>
    `((${date} + 1)::timestamp at time zone ${zone}) - interval '1 millisecond'`;
  for (const statement of [
    `alter table indicators add column monotone text check (monotone in ('increasing', 'decreasing'))`,
    `update indicators set monotone = 'increasing' where kind = 'cumulative'`,
    `alter table targets add column min_coverage double precision check (min_coverage > 0 and min_coverage <= 1)`,
    `alter table evaluations add column reason text, add column explanation text,
       add column value_at_deadline double precision, add column partial boolean not null default false`,
    `update targets t set baseline_at = ${endOfDay('t.baseline_date', 'd.timezone')},
       deadline = ${endOfDay('t.due_date', 'd.timezone')}
     from directives d where d.id = t.directive_id`,
    `update target_milestones m set deadline = ${endOfDay('m.due_date', 'd.timezone')}
     from targets t join directives d on d.id = t.directive_id where t.id = m.target_id`,
    ...['observations', 'observation_revisions'].map(
      (table) => `update ${table} o
         set observed_at = ${endOfDay(`(o.observed_at at time zone s.timezone)::date`, 's.timezone')}
         from regions r join region_sets s on s.id = r.region_set_id
         where r.id = o.region_id and (o.observed_at at time zone s.timezone)::time = '00:00'
           ${
             table === 'observations'
               ? `and not exists (select 1 from observations x where x.indicator_id = o.indicator_id
                    and x.region_id = o.region_id and x.dims = o.dims
                    and x.observed_at = ${endOfDay(`(o.observed_at at time zone s.timezone)::date`, 's.timezone')})`
               : ''
           }`,
    ),
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table indicators drop column if exists monotone').execute(db);
  await sql.raw('alter table targets drop column if exists min_coverage').execute(db);
  await sql
    .raw(
      `alter table evaluations drop column if exists reason, drop column if exists explanation,
         drop column if exists value_at_deadline, drop column if exists partial`,
    )
    .execute(db);
}
