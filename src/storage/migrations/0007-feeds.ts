import { sql, type Kysely } from 'kysely';
import { grantRead } from './0006-reader-role.js';

/**
 * Scheduled feed runs. The unique (feed_id, slot) is what makes a run exactly-once on top of the
 * queue's at-least-once delivery: a second delivery of the same slot finds the row and does
 * nothing (it only counts itself in `duplicates`); a retry after a failure or a crash takes the
 * row over and bumps `attempts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create table feed_runs (
       id bigint generated always as identity primary key,
       feed_id text not null,
       slot timestamptz not null,
       trigger text not null check (trigger in ('schedule', 'catchup', 'manual')),
       status text not null check (status in ('running', 'succeeded', 'failed')),
       attempts integer not null default 1,
       duplicates integer not null default 0,
       worker text,
       started_at timestamptz not null default now(),
       finished_at timestamptz,
       duration_ms double precision,
       received bigint not null default 0,
       inserted bigint not null default 0,
       updated bigint not null default 0,
       unchanged bigint not null default 0,
       rejected bigint not null default 0,
       batch_ids bigint[] not null default '{}',
       error_code text,
       error text,
       issues jsonb,
       unique (feed_id, slot)
     )`,
    `create index feed_runs_recent_idx on feed_runs (feed_id, started_at desc)`,
  ]) {
    await sql.raw(statement).execute(db);
  }
  await grantRead(db, ['feed_runs']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists feed_runs').execute(db);
}
