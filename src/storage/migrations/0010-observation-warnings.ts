import { sql, type Kysely } from 'kysely';
import { grantRead } from './0006-reader-role.js';

/**
 * Data-quality warnings: accepted values flagged by the ingest (a cumulative indicator going down,
 * a jump far above the series' pace), one row per flagged observation and code, so a re-push of
 * the same value finds the flag and adds none. The numbers behind the flag are kept so the
 * scorecard can say what was wrong without recomputing it. No foreign key to observations: those
 * are truncated and bulk-loaded, and a catalog prune deletes the flags with the observations.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table observation_warnings (
         indicator_id text not null,
         region_id integer not null,
         observed_at timestamptz not null,
         dims jsonb not null default '{}',
         code text not null check (code in ('decrease', 'jump')),
         value double precision not null,
         previous_value double precision not null,
         previous_observed_at timestamptz not null,
         pace_per_day double precision,
         batch_id bigint,
         created_at timestamptz not null default now(),
         constraint observation_warnings_pkey primary key (indicator_id, region_id, observed_at, dims, code)
       )`,
    )
    .execute(db);
  await grantRead(db, ['observation_warnings']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists observation_warnings').execute(db);
}
