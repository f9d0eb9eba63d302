import { sql, type Kysely } from 'kysely';

/**
 * Two languages, English and Vietnamese:
 *
 * - each stored evaluation keeps its explanation in every language (`{"en": ..., "vi": ...}`), written
 *   when the whole evaluation is at hand; `explanation` stays the English one;
 * - directives, targets and indicators keep their catalog text in the other languages
 *   (`{"vi": {"title": ...}}`): a directive's title and issuer, a target's title, owner and source
 *   (the clause that sets it), an indicator's name and unit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evaluations add column explanations jsonb`.execute(db);
  await sql`alter table directives add column translations jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table targets add column translations jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table indicators add column translations jsonb not null default '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evaluations drop column if exists explanations`.execute(db);
  await sql`alter table directives drop column if exists translations`.execute(db);
  await sql`alter table targets drop column if exists translations`.execute(db);
  await sql`alter table indicators drop column if exists translations`.execute(db);
}
