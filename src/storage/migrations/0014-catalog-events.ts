import { sql, type Kysely } from 'kysely';
import { grantRead } from './0006-reader-role.js';

/**
 * Catalog events: dated facts of a directive (a list that grew, a decree in force) that the target charts and
 * Grafana's annotations show. One row per event, identified by its directive and its place in the directive's
 * list, as catalog apply writes them. Targets and indicator are kept as written (checked by the catalog, not by
 * foreign keys) so that an apply can drop a target and an event naming it in any order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table catalog_events (
         directive_id text not null references directives (id) on delete cascade,
         position integer not null check (position >= 0),
         date_text text not null,
         day text not null,
         precision text not null check (precision in ('day', 'month')),
         at timestamptz not null,
         text text not null,
         target_ids text[] not null default '{}',
         indicator_id text,
         source text,
         constraint catalog_events_pkey primary key (directive_id, position)
       )`,
    )
    .execute(db);
  await sql.raw('create index catalog_events_at on catalog_events (at)').execute(db);
  await grantRead(db, ['catalog_events']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists catalog_events').execute(db);
}
