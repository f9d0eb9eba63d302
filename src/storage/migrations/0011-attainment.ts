import { sql, type Kysely } from 'kysely';

/**
 * The chance to meet a target:
 *
 * - each stored evaluation keeps the chance that the value at the deadline meets the target, and the 80%
 *   band of that value (null where no chance is given: tasks, no_data, too few points);
 * - a target may set the chance below which it is reported unlikely (`unlikely_below`, null: the default).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evaluations add column attainment_probability double precision,
              add column projected_low double precision, add column projected_high double precision`.execute(db);
  await sql`alter table targets add column unlikely_below double precision
              check (unlikely_below >= 0 and unlikely_below <= 1)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evaluations drop column if exists attainment_probability,
              drop column if exists projected_low, drop column if exists projected_high`.execute(db);
  await sql`alter table targets drop column if exists unlikely_below`.execute(db);
}
