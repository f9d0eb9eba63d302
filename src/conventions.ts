/**
 * Every name that crosses a boundary, defined once: the metric families Pacer exports, the label
 * names on them, the values some labels take, and the alert and recording-rule names the
 * generators write. Prometheus, Grafana, Alertmanager and operators' own queries see these
 * strings, so renaming one here is a breaking change for every dashboard and rule built on it.
 *
 * Pure TypeScript with no imports: the domain, the exporter, the generators and the tests all
 * read it.
 */

/** The KPI families: how the targets are doing, rendered from evaluations and the runs table. */
export const kpiMetrics = {
  targetInfo: 'kpi_target_info',
  targetValue: 'kpi_target_value',
  targetBaselineValue: 'kpi_target_baseline_value',
  targetCurrentValue: 'kpi_target_current_value',
  targetExpectedValue: 'kpi_target_expected_value',
  targetProgressRatio: 'kpi_target_progress_ratio',
  targetExpectedProgressRatio: 'kpi_target_expected_progress_ratio',
  targetProjectedValue: 'kpi_target_projected_value',
  targetProjectedCompletionTimestampSeconds: 'kpi_target_projected_completion_timestamp_seconds',
  targetDeadlineTimestampSeconds: 'kpi_target_deadline_timestamp_seconds',
  targetCoverageRatio: 'kpi_target_coverage_ratio',
  targetAttainmentProbability: 'kpi_target_attainment_probability',
  targetProjectedLowValue: 'kpi_target_projected_low_value',
  targetProjectedHighValue: 'kpi_target_projected_high_value',
  targetUnlikelyThreshold: 'kpi_target_unlikely_threshold',
  targetStatus: 'kpi_target_status',
  targetStatusReason: 'kpi_target_status_reason',
  indicatorValue: 'kpi_indicator_value',
  indicatorObservedTimestampSeconds: 'kpi_indicator_observed_timestamp_seconds',
  evaluationTimestampSeconds: 'kpi_evaluation_timestamp_seconds',
  feedExpectedIntervalSeconds: 'kpi_feed_expected_interval_seconds',
  feedLastSuccessTimestampSeconds: 'kpi_feed_last_success_timestamp_seconds',
  feedLastRunTimestampSeconds: 'kpi_feed_last_run_timestamp_seconds',
  feedRunsTotal: 'kpi_feed_runs_total',
  feedRowsTotal: 'kpi_feed_rows_total',
  feedRunDurationSeconds: 'kpi_feed_run_duration_seconds',
} as const;

/** The name of one KPI family. */
export type KpiMetricName = (typeof kpiMetrics)[keyof typeof kpiMetrics];

/** Pacer's own metrics: how the pipeline itself is doing, held in prom-client. */
export const pacerMetrics = {
  dbPoolConnections: 'pacer_db_pool_connections',
  ingestRowsTotal: 'pacer_ingest_rows_total',
  ingestBatchesTotal: 'pacer_ingest_batches_total',
  ingestBatchDurationSeconds: 'pacer_ingest_batch_duration_seconds',
  observationWarningsTotal: 'pacer_observation_warnings_total',
  evaluationDurationSeconds: 'pacer_evaluation_duration_seconds',
  evaluationRunsTotal: 'pacer_evaluation_runs_total',
  httpRequestsTotal: 'pacer_http_requests_total',
  httpRequestDurationSeconds: 'pacer_http_request_duration_seconds',
  kpiSeries: 'pacer_kpi_series',
  kpiSeriesDropped: 'pacer_kpi_series_dropped',
} as const;

/** The name of one of Pacer's pipeline metrics. */
export type PacerMetricName = (typeof pacerMetrics)[keyof typeof pacerMetrics];

/** Label names on Pacer's series, and the ones Prometheus itself adds that queries rely on. */
export const labels = {
  target: 'target',
  indicator: 'indicator',
  region: 'region',
  regionName: 'region_name',
  level: 'level',
  directive: 'directive',
  owner: 'owner',
  title: 'title',
  unit: 'unit',
  /** The indicator kind (cumulative, level, ratio, milestone): how its values read. */
  kind: 'kind',
  direction: 'direction',
  due: 'due',
  status: 'status',
  reason: 'reason',
  feed: 'feed',
  outcome: 'outcome',
  source: 'source',
  method: 'method',
  route: 'route',
  state: 'state',
  /** A data-quality warning's code (decrease, jump). */
  code: 'code',
  /** A histogram bucket's upper bound. */
  le: 'le',
  /** Added by Prometheus from the scrape config. */
  job: 'job',
  instance: 'instance',
} as const;

/** The name of one label. */
export type LabelName = (typeof labels)[keyof typeof labels];

/**
 * PostgreSQL notification channels. `evaluation`: sent in the transaction that saves an evaluation
 * run (payload: the run id, its schema, and what changed), so api processes load it at once.
 */
export const notifyChannels = { evaluation: 'pacer_evaluation' } as const;

/** The scrape job name the generated Prometheus config gives Pacer, which the pipeline alerts query. */
export const scrapeJob = 'pacer';

/**
 * A target's status, in the order `kpi_target_status` exports its series. Which status applies
 * is decided in `domain/evaluation/target-evaluation.ts`.
 */
export const targetStatuses = ['achieved', 'on_track', 'at_risk', 'off_track', 'missed', 'no_data'] as const;

/** One target status, the value of the `status` label. */
export type TargetStatus = (typeof targetStatuses)[number];

/**
 * Why a target has its status: the `reason` label of `kpi_target_status_reason`, the API's `reason`
 * field and the scorecard's explanation. Which applies is decided in `domain/evaluation/target-evaluation.ts`.
 *
 * - `target_met`: a value met the target by the deadline (achieved);
 * - `deadline_passed`: the deadline passed without it (missed);
 * - `no_report`: no value at all yet (no_data);
 * - `incomplete_coverage`: a rolled-up value from fewer parts than the target's minimum coverage (no_data);
 * - `stale`: the latest value is older than three update intervals (no_data);
 * - `task_open`: a task reported not done, its due date not near (on_track);
 * - `task_due_soon`: a task not done in its last 14 days (at_risk);
 * - `milestone_missed`: the last passed milestone was missed beyond the tolerance (at_risk at least);
 * - `forecast_meets`: the forecast meets the target by the deadline (on_track);
 * - `forecast_short`: the forecast falls short (at_risk within the tolerance, else off_track).
 */
export const targetReasons = [
  'target_met',
  'deadline_passed',
  'no_report',
  'incomplete_coverage',
  'stale',
  'task_open',
  'task_due_soon',
  'milestone_missed',
  'forecast_meets',
  'forecast_short',
] as const;

/** One reason code, the value of the `reason` label. */
export type TargetReason = (typeof targetReasons)[number];

/**
 * The languages people read Pacer in: the scorecard (`?lang=`), `pacer status`, `evaluate` and `report`
 * (`--lang`), the alert text and the dashboards. English first: the default, and what the machine fields
 * (the API's `explanation`, the metric labels) are written in.
 */
export const languages = ['en', 'vi'] as const;

/** One language, as its ISO 639-1 code. */
export type Language = (typeof languages)[number];

/** Outcomes of a feed run attempt, the `outcome` label of `kpi_feed_runs_total`. */
export const feedRunOutcomes = ['succeeded', 'failed', 'duplicate'] as const;

/** One feed run outcome. */
export type FeedRunOutcome = (typeof feedRunOutcomes)[number];

/** What ingest did with a row: the `outcome` label of `pacer_ingest_rows_total` and `kpi_feed_rows_total`. */
export const ingestRowOutcomes = ['inserted', 'updated', 'unchanged', 'rejected'] as const;

/** One ingest row outcome. */
export type IngestRowOutcome = (typeof ingestRowOutcomes)[number];

/** The alerts the generated rule file defines; runbook anchors and Alertmanager routes use them too. */
export const alertNames = {
  targetOffTrack: 'KpiTargetOffTrack',
  targetAtRisk: 'KpiTargetAtRisk',
  targetMissed: 'KpiTargetMissed',
  deadlineApproaching: 'KpiDeadlineApproaching',
  targetUnlikely: 'KpiTargetUnlikely',
  targetNoData: 'KpiTargetNoData',
  feedStale: 'KpiFeedStale',
  feedFailing: 'KpiFeedFailing',
  ingestRejections: 'KpiIngestRejections',
  exporterDown: 'PacerExporterDown',
  evaluationStale: 'PacerEvaluationStale',
} as const;

/** The name of one generated alert. */
export type AlertName = (typeof alertNames)[keyof typeof alertNames];

/** Series the generated recording rules write, which dashboards query. */
export const recordingRuleNames = {
  directiveStatusCount: 'directive_status:kpi_target_status:count',
  targetProgressGap: 'target:kpi_target_progress_gap:ratio',
  feedStaleness: 'feed:kpi_feed_staleness:ratio',
} as const;

/** The name of one recording rule's series. */
export type RecordingRuleName = (typeof recordingRuleNames)[keyof typeof recordingRuleNames];
