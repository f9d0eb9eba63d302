import { sql, type Kysely } from 'kysely';

/** What the read-only role may read: the catalog, the time series and the evaluations; never tokens. */
export const readableTables = [
  'region_sets',
  'regions',
  'region_successors',
  'region_lineage',
  'indicators',
  'directives',
  'targets',
  'target_milestones',
  'observations',
  'observation_revisions',
  'evaluation_runs',
  'evaluations',
  'target_status_changes',
];

/**
 * `pacer_reader`: the read-only role Grafana's PostgreSQL datasource uses. It cannot log in until
 * `PACER_READER_PASSWORD` is set (Pacer sets the password at start). Roles belong to the whole
 * server: where the migrating user may not create roles (a managed database), the migration
 * says so and goes on, and an administrator creates the role by hand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    do $$
    begin
      if not exists (select 1 from pg_roles where rolname = 'pacer_reader') then
        create role pacer_reader nologin;
      end if;
    exception
      when insufficient_privilege then
        raise notice 'pacer: cannot create role pacer_reader (%); create it by hand for Grafana', sqlerrm;
      when duplicate_object or unique_violation then null; -- created at the same moment by another schema's migration
    end $$`,
    )
    .execute(db);
  await grantRead(db, readableTables);
}

/** Grants the read-only role SELECT on tables of the current schema, if the role exists. */
export async function grantRead(db: Kysely<unknown>, tables: string[]): Promise<void> {
  const list = tables.map((t) => `'${t}'`).join(', ');
  await sql
    .raw(
      `
    do $$
    declare t text;
    begin
      if exists (select 1 from pg_roles where rolname = 'pacer_reader') then
        execute format('grant usage on schema %I to pacer_reader', current_schema());
        foreach t in array array[${list}] loop
          execute format('grant select on %I.%I to pacer_reader', current_schema(), t);
        end loop;
      end if;
    exception when insufficient_privilege then
      raise notice 'pacer: cannot grant read access to pacer_reader (%)', sqlerrm;
    end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    do $$ begin
      if exists (select 1 from pg_roles where rolname = 'pacer_reader') then
        execute format('revoke all on all tables in schema %I from pacer_reader', current_schema());
        execute format('revoke usage on schema %I from pacer_reader', current_schema());
      end if;
    end $$`,
    )
    .execute(db);
}
