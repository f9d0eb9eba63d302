import { sql, type Kysely } from 'kysely';

/**
 * The foundation schema: regions (effective-dated, with successors), the catalog (indicators,
 * directives, targets, milestones), the observations time series with its revisions and ingest
 * batches, evaluation snapshots, and bookkeeping.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'pacer_state',
    'catalog_applies',
    'evaluations',
    'evaluation_runs',
    'observation_revisions',
    'observations',
    'ingest_batches',
    'target_milestones',
    'targets',
    'directives',
    'indicators',
  ]) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  }
  await sql.raw('drop view if exists region_lineage').execute(db);
  for (const table of ['region_successors', 'regions', 'region_sets'])
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
}

const statements = [
  `create table region_sets (
     id text primary key,
     name text not null,
     timezone text not null,
     levels text[] not null
   )`,
  // A code may name different units over time (province 79 before and after 2025-07-01), so a
  // unit is keyed by (code, valid_from); null bounds are open. valid_to is exclusive.
  `create table regions (
     id integer generated always as identity primary key,
     region_set_id text not null references region_sets (id),
     code text not null,
     name text not null,
     level text not null,
     depth smallint not null check (depth >= 0),
     parent_id integer references regions (id),
     valid_from timestamptz,
     valid_to timestamptz,
     constraint regions_natural_key unique nulls not distinct (code, valid_from),
     constraint regions_validity check (valid_from is null or valid_to is null or valid_from < valid_to)
   )`,
  `create index regions_parent_idx on regions (parent_id)`,
  `create table region_successors (
     predecessor_id integer not null references regions (id) on delete cascade,
     successor_id integer not null references regions (id) on delete cascade,
     kind text not null check (kind in ('full', 'partial')),
     effective_at timestamptz not null,
     primary key (predecessor_id, successor_id)
   )`,
  `create index region_successors_successor_idx on region_successors (successor_id)`,
  // Every unit a region's area went into, however many reorganisations later: old province 74
  // (Binh Duong, until 2025-06-30) → province 79 (Ho Chi Minh City, from 2025-07-01). A chain is
  // 'full' only if every step is. The successor valid at a date T is the row whose successor
  // unit is valid at T; see RegionRepository.successorsAt.
  `create view region_lineage as
     with recursive chain (region_id, successor_id, kind, effective_at, steps) as (
       select predecessor_id, successor_id, kind, effective_at, 1 from region_successors
       union all
       select c.region_id, s.successor_id,
              case when c.kind = 'full' and s.kind = 'full' then 'full' else 'partial' end,
              s.effective_at, c.steps + 1
       from chain c join region_successors s on s.predecessor_id = c.successor_id
       where c.steps < 32
     )
     select region_id, successor_id, kind, effective_at, steps from chain`,
  `create table indicators (
     id text primary key,
     name text not null,
     description text,
     unit text not null,
     kind text not null check (kind in ('cumulative', 'level', 'ratio', 'milestone')),
     rollup text not null check (rollup in ('sum', 'mean', 'min', 'max', 'none')),
     update_interval_seconds integer not null check (update_interval_seconds > 0)
   )`,
  `create table directives (
     id text primary key,
     title text not null,
     issuer text not null,
     issued date not null,
     timezone text not null,
     url text,
     description text
   )`,
  `create table targets (
     id text primary key,
     directive_id text not null references directives (id),
     indicator_id text not null references indicators (id),
     region_id integer not null references regions (id),
     region_code text not null,
     title text not null,
     owner text not null,
     source text not null,
     baseline_value double precision not null,
     baseline_date date not null,
     baseline_at timestamptz not null,
     baseline_source text,
     target_value double precision not null,
     due_text text not null,
     due_date date not null,
     deadline timestamptz not null,
     direction text not null check (direction in ('at_least', 'at_most')),
     tolerance double precision check (tolerance between 0 and 1),
     note text,
     check (deadline > baseline_at),
     check (target_value <> baseline_value)
   )`,
  `create index targets_indicator_region_idx on targets (indicator_id, region_id)`,
  `create table target_milestones (
     target_id text not null references targets (id) on delete cascade,
     due_date date not null,
     deadline timestamptz not null,
     value double precision not null,
     primary key (target_id, deadline)
   )`,
  `create table ingest_batches (
     id bigint generated always as identity primary key,
     source text not null,
     feed text,
     token_id bigint,
     idempotency_key text,
     request_hash text,
     status text not null check (status in ('running', 'committed', 'failed')),
     received integer not null default 0,
     inserted integer not null default 0,
     updated integer not null default 0,
     unchanged integer not null default 0,
     rejected integer not null default 0,
     started_at timestamptz not null default now(),
     finished_at timestamptz,
     response jsonb
   )`,
  `create unique index ingest_batches_idempotency_idx on ingest_batches (idempotency_key)
   where idempotency_key is not null`,
  // The time series. The natural key is the primary key, and its btree serves every per-series
  // query: latest value as of t, a series' window for the forecast, the read API's indicator +
  // region + time range. For scans across all series by time, BRIN on observed_at was chosen by
  // measurement (npm run bench:time-index, 2M rows, 1 in 5 batches backfilled two years of
  // history, PostgreSQL 15 on this project's 2-core CI machine): a btree added 18% to load time
  // and 57 MiB; BRIN added nothing to load (0.92x) and under 0.1 MiB, scanned a day of recent data
  // in 1.29x the btree's time, and a day of scattered backfill in 56 ms against 0.4 ms. Pushes
  // are append-mostly and per-series reads never use this index, so the ingest path's cost wins.
  `create table observations (
     indicator_id text not null references indicators (id),
     region_id integer not null references regions (id),
     observed_at timestamptz not null,
     dims jsonb not null default '{}',
     value double precision not null,
     batch_id bigint,
     note text,
     recorded_at timestamptz not null default now(),
     constraint observations_pkey primary key (indicator_id, region_id, observed_at, dims)
   )`,
  `create index observations_observed_at_brin on observations using brin (observed_at) with (pages_per_range = 32)`,
  `create index observations_region_idx on observations (region_id)`,
  `create table observation_revisions (
     id bigint generated always as identity primary key,
     indicator_id text not null,
     region_id integer not null,
     observed_at timestamptz not null,
     dims jsonb not null,
     old_value double precision not null,
     new_value double precision not null,
     old_batch_id bigint,
     new_batch_id bigint,
     revised_at timestamptz not null default now()
   )`,
  `create index observation_revisions_key_idx on observation_revisions (indicator_id, region_id, observed_at)`,
  `create table evaluation_runs (
     id bigint generated always as identity primary key,
     as_of timestamptz not null,
     started_at timestamptz not null default now(),
     finished_at timestamptz,
     target_count integer
   )`,
  `create table evaluations (
     run_id bigint not null references evaluation_runs (id) on delete cascade,
     target_id text not null references targets (id) on delete cascade,
     as_of timestamptz not null,
     status text not null check (status in ('achieved', 'on_track', 'at_risk', 'off_track', 'missed', 'no_data')),
     achieved_late boolean not null default false,
     achieved_at timestamptz,
     current_value double precision,
     current_observed_at timestamptz,
     expected_value double precision,
     progress_ratio double precision,
     expected_progress_ratio double precision,
     projected_value double precision,
     projected_completion_at timestamptz,
     coverage_ratio double precision,
     primary key (run_id, target_id)
   )`,
  `create index evaluations_target_idx on evaluations (target_id, as_of desc)`,
  `create table catalog_applies (
     id bigint generated always as identity primary key,
     applied_at timestamptz not null default now(),
     catalog_hash text not null,
     changes jsonb not null
   )`,
  `create table pacer_state (
     key text primary key,
     value jsonb not null,
     updated_at timestamptz not null default now()
   )`,
];
