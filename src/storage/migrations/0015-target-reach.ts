import { sql, type Kysely } from 'kysely';

/**
 * When each target's own series first met its target value (by the deadline and after it, for
 * both directions), as counted through an instant: the one part of an evaluation that looks at a
 * series' whole history. Kept so the next evaluation reads only the values dated after that
 * instant (and the series a batch wrote since), and its cost does not grow with history. A
 * derived cache: dropping its rows loses nothing but time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table target_reach (
         target_id text primary key references targets (id) on delete cascade,
         target_value double precision not null,
         deadline timestamptz not null,
         through timestamptz not null,
         computed_at timestamptz not null,
         has_values boolean not null,
         at_least_by timestamptz,
         at_least_after timestamptz,
         at_most_by timestamptz,
         at_most_after timestamptz
       )`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists target_reach').execute(db);
}
