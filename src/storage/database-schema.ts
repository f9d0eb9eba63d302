import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/**
 * Table types for kysely, matching the migrations in `migrations/`. Timestamps are `timestamptz`
 * (Date in JS); calendar dates are `date` ('YYYY-MM-DD' strings); values are double precision.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type { Dims } from '../domain/observations/observation.js';
import type { Dims } from '../domain/observations/observation.js';
import type { Language } from '../conventions.js';
import type {
  DirectiveTranslations,
  IndicatorTranslations,
  TargetTranslations,
} from '../domain/catalog/catalog-text.js';

export interface RegionSetsTable {
  id: string;
  name: string;
  timezone: string;
  levels: string[];
}

export interface RegionsTable {
  id: Generated<number>;
  region_set_id: string;
  code: string;
  name: string;
  level: string;
  depth: number;
  parent_id: number | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
}

export interface RegionSuccessorsTable {
  predecessor_id: number;
  successor_id: number;
  kind: 'full' | 'partial';
  effective_at: Timestamp;
}

/** Every unit a region's area went into, following successor links transitively (a view). */
export interface RegionLineageView {
  region_id: number;
  successor_id: number;
  kind: 'full' | 'partial';
  effective_at: Date;
  steps: number;
}

export interface IndicatorsTable {
  id: string;
  name: string;
  description: string | null;
  unit: string;
  kind: 'cumulative' | 'level' | 'ratio' | 'milestone';
  rollup: 'sum' | 'mean' | 'min' | 'max' | 'none';
  update_interval_seconds: number;
  monotone: 'increasing' | 'decreasing' | null;
  /** The name and unit in languages beyond English (migration 0013). */
  translations: JSONColumnType<IndicatorTranslations, string, string>;
}

export interface DirectivesTable {
  id: string;
  title: string;
  issuer: string;
  issued: string;
  timezone: string;
  url: string | null;
  description: string | null;
  /** The title and issuer in languages beyond English: `{"vi": {"title": ...}}` (migration 0013). */
  translations: JSONColumnType<DirectiveTranslations, string, string>;
}

export interface TargetsTable {
  id: string;
  directive_id: string;
  indicator_id: string;
  region_id: number;
  region_code: string;
  title: string;
  owner: string;
  source: string;
  baseline_value: number;
  baseline_date: string;
  baseline_at: Timestamp;
  baseline_source: string | null;
  target_value: number;
  due_text: string;
  due_date: string;
  deadline: Timestamp;
  direction: 'at_least' | 'at_most';
  tolerance: number | null;
  min_coverage: number | null;
  unlikely_below: number | null;
  note: string | null;
  /** The title, owner and source in languages beyond English (migration 0013). */
  translations: JSONColumnType<TargetTranslations, string, string>;
}

export interface TargetMilestonesTable {
  target_id: string;
  due_date: string;
  deadline: Timestamp;
  value: number;
}

export interface CatalogEventsTable {
  directive_id: string;
  position: number;
  date_text: string;
  day: string;
  precision: 'day' | 'month';
  at: Timestamp;
  text: string;
  target_ids: string[];
  indicator_id: string | null;
  source: string | null;
}

export interface IngestBatchesTable {
  id: Generated<number>;
  /** Where the rows came from: `push` (HTTP), `feed` (a scheduled pull), `demo`, `cli`. */
  source: string;
  feed: string | null;
  token_id: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
  status: 'running' | 'committed' | 'failed';
  received: Generated<number>;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  started_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
  response: JSONColumnType<object> | null;
  mode: 'atomic' | 'partial' | null;
  /** The series the batch wrote, indicator id → region ids; null when too many to list (or written before 0008). */
  series: JSONColumnType<Record<string, number[]>> | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  /** The feed (team, system) the token writes for; batches are recorded under it. */
  feed: string;
  role: 'reader' | 'writer' | 'admin';
  /** Indicator id patterns a writer may write (`vneid_*`); null: all. */
  indicators: string[] | null;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  token_hash: string;
  /** The token's first characters, to recognise it in a list. */
  token_prefix: string;
  created_at: DefaultedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ObservationsTable {
  indicator_id: string;
  region_id: number;
  observed_at: Timestamp;
  dims: ColumnType<Dims, Dims | string | undefined, Dims | string>;
  value: number;
  batch_id: number | null;
  note: string | null;
  recorded_at: DefaultedTimestamp;
}

export interface ObservationRevisionsTable {
  id: Generated<number>;
  indicator_id: string;
  region_id: number;
  observed_at: Timestamp;
  dims: ColumnType<Dims, Dims | string, Dims | string>;
  old_value: number;
  new_value: number;
  old_batch_id: number | null;
  new_batch_id: number | null;
  revised_at: DefaultedTimestamp;
  /** When the old value had been recorded: it was the value known from then until `revised_at`. */
  old_recorded_at: Timestamp;
  old_note: string | null;
}

/** A data-quality flag on a stored observation (migration 0008). */
export interface ObservationWarningsTable {
  indicator_id: string;
  region_id: number;
  observed_at: Timestamp;
  dims: ColumnType<Dims, Dims | string, Dims | string>;
  code: 'decrease' | 'jump';
  value: number;
  previous_value: number;
  previous_observed_at: Timestamp;
  pace_per_day: number | null;
  batch_id: number | null;
  created_at: DefaultedTimestamp;
}

export interface EvaluationRunsTable {
  id: Generated<number>;
  as_of: Timestamp;
  started_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
  target_count: number | null;
  duration_ms: number | null;
}

import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
export type { TargetStatus };

export interface EvaluationsTable {
  run_id: number;
  target_id: string;
  as_of: Timestamp;
  status: TargetStatus;
  achieved_late: boolean;
  achieved_at: Timestamp | null;
  current_value: number | null;
  current_observed_at: Timestamp | null;
  expected_value: number | null;
  progress_ratio: number | null;
  expected_progress_ratio: number | null;
  projected_value: number | null;
  forecast_now_value: number | null;
  projected_completion_at: Timestamp | null;
  coverage_ratio: number | null;
  current_source: 'direct' | 'children' | 'predecessors' | null;
  reason: string | null;
  explanation: string | null;
  /** The explanation in each language (`conventions.ts` `languages`); null in runs stored before them. */
  explanations: Partial<Record<Language, string>> | null;
  value_at_deadline: number | null;
  partial: Generated<boolean>;
  attainment_probability: number | null;
  projected_low: number | null;
  projected_high: number | null;
}

export interface TargetStatusChangesTable {
  id: Generated<number>;
  target_id: string;
  run_id: number;
  as_of: Timestamp;
  from_status: TargetStatus | null;
  to_status: TargetStatus;
  recorded_at: DefaultedTimestamp;
}

export interface CatalogAppliesTable {
  id: Generated<number>;
  applied_at: DefaultedTimestamp;
  catalog_hash: string;
  changes: JSONColumnType<Record<string, { created: number; updated: number; deleted: number }>>;
}

export interface PacerStateTable {
  key: string;
  value: JSONColumnType<object>;
  updated_at: DefaultedTimestamp;
}

export interface FeedRunsTable {
  id: Generated<number>;
  feed_id: string;
  slot: Timestamp;
  trigger: 'schedule' | 'catchup' | 'manual';
  status: 'running' | 'succeeded' | 'failed';
  attempts: Generated<number>;
  duplicates: Generated<number>;
  worker: string | null;
  started_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
  duration_ms: number | null;
  received: ColumnType<number, number | undefined, number>;
  inserted: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  batch_ids: ColumnType<number[], number[] | undefined, number[]>;
  error_code: string | null;
  error: string | null;
  issues: JSONColumnType<object[]> | null;
}

/** When each target's own series first met its value, counted through `through` (see migration 0015). */
export interface TargetReachTable {
  target_id: string;
  target_value: number;
  deadline: Date;
  through: Date;
  computed_at: Date;
  has_values: boolean;
  at_least_by: Date | null;
  at_least_after: Date | null;
  at_most_by: Date | null;
  at_most_after: Date | null;
}

export interface DB {
  region_sets: RegionSetsTable;
  regions: RegionsTable;
  region_successors: RegionSuccessorsTable;
  region_lineage: RegionLineageView;
  indicators: IndicatorsTable;
  directives: DirectivesTable;
  targets: TargetsTable;
  target_milestones: TargetMilestonesTable;
  catalog_events: CatalogEventsTable;
  ingest_batches: IngestBatchesTable;
  observations: ObservationsTable;
  observation_revisions: ObservationRevisionsTable;
  observation_warnings: ObservationWarningsTable;
  evaluation_runs: EvaluationRunsTable;
  evaluations: EvaluationsTable;
  target_status_changes: TargetStatusChangesTable;
  target_reach: TargetReachTable;
  catalog_applies: CatalogAppliesTable;
  pacer_state: PacerStateTable;
  api_tokens: ApiTokensTable;
  feed_runs: FeedRunsTable;
}
