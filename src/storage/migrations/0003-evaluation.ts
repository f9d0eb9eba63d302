import { sql, type Kysely } from 'kysely';

/** Evaluation bookkeeping: where a current value came from, run durations, and the status-change log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table evaluations add column current_source text
     check (current_source in ('direct', 'children', 'predecessors'))`,
    // The forecast line's value at as_of; with projected_value (its value at the deadline) it
    // draws the forecast line in dashboards without recomputing the fit.
    `alter table evaluations add column forecast_now_value double precision`,
    `alter table evaluation_runs add column duration_ms integer`,
    `create index evaluation_runs_as_of_idx on evaluation_runs (as_of desc)`,
    // Alerts and the scorecard read "what changed, when" from here rather than diffing snapshots.
    `create table target_status_changes (
       id bigint generated always as identity primary key,
       target_id text not null references targets (id) on delete cascade,
       run_id bigint not null references evaluation_runs (id) on delete cascade,
       as_of timestamptz not null,
       from_status text,
       to_status text not null,
       recorded_at timestamptz not null default now()
     )`,
    `create index target_status_changes_target_idx on target_status_changes (target_id, as_of desc)`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists target_status_changes').execute(db);
  await sql.raw('drop index if exists evaluation_runs_as_of_idx').execute(db);
  await sql.raw('alter table evaluation_runs drop column if exists duration_ms').execute(db);
  await sql.raw('alter table evaluations drop column if exists forecast_now_value').execute(db);
  await sql.raw('alter table evaluations drop column if exists current_source').execute(db);
}
