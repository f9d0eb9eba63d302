import type { Language } from '../conventions.js';
import type { IndicatorTranslations, TargetTranslations } from '../domain/catalog/catalog-text.js';
import type { Direction, IndicatorKind, Monotone, Rollup } from '../domain/catalog/catalog-schema.js';
import type { Point, RollupUnit } from '../domain/evaluation/region-rollup.js';
import type { SeriesFacts, TargetEvaluation, TargetStatus } from '../domain/evaluation/target-evaluation.js';

/** A target as stored, with what the evaluation and the exporter need. Instants in epoch ms. */
export interface TargetRecord {
  id: string;
  title: string;
  directiveId: string;
  owner: string;
  indicatorId: string;
  regionId: number;
  regionCode: string;
  baselineValue: number;
  baselineAt: number;
  targetValue: number;
  dueDate: string;
  deadline: number;
  direction: Direction;
  tolerance: number | null;
  minCoverage: number | null;
  /** The chance to meet below which the target is reported unlikely; null: the default. */
  unlikelyBelow: number | null;
  milestones: { deadline: number; value: number }[];
  /** The directive's time zone: the explanation's dates are days there. */
  timezone: string;
  /** The title, owner and source in languages beyond English. */
  translations: TargetTranslations;
}

export interface IndicatorRecord {
  id: string;
  name: string;
  unit: string;
  kind: IndicatorKind;
  rollup: Rollup;
  updateIntervalSeconds: number;
  monotone: Monotone | null;
  /** The name and unit in languages beyond English; absent where only English is known. */
  translations?: IndicatorTranslations;
}

export interface RegionRecord extends RollupUnit {
  code: string;
  name: string;
  level: string;
}

/**
 * What the target's own series (direct observations, no dims) says, computed in the database:
 * the same as the domain's `seriesFacts` of that series.
 */
export type DirectFacts = SeriesFacts;

/** One target's evaluation with its labels, as exported and stored. */
export interface TargetResult extends TargetEvaluation {
  target: TargetRecord;
  currentSource: 'direct' | 'children' | 'predecessors' | null;
  /**
   * The reason in one sentence with the numbers, in each language (see `explainTarget`). English is
   * the API's `explanation`.
   */
  explanations: Readonly<Record<Language, string>>;
}

/** An indicator's effective value in a region in force at the evaluation instant. */
export interface IndicatorValue {
  indicatorId: string;
  regionId: number;
  regionCode: string;
  regionName: string;
  /** The region's level (nation, province, commune): dashboards select provinces by it. */
  level: string;
  value: number;
  at: number;
  coverage: number;
}

/**
 * The payload of the notification sent on `notifyChannels.evaluation` in the transaction that saves a run: api
 * processes listen, load the run and drop what they cached from the previous one.
 */
export interface RunNotice {
  /** The schema the run is in: one database may hold several Pacers (tests, benchmarks), each in its own schema. */
  schema: string;
  run: number;
  /** The run this one was merged into (an evaluation of the changed targets only); null for a full run. */
  base: number | null;
  /** The indicators whose values changed since `base`; null for a full run. */
  indicators: string[] | null;
  /**
   * The targets evaluated again (every other result is `base`'s); null for a full run, or when too many to name
   * within a notification's 8,000 bytes.
   */
  targets: string[] | null;
}

/** Storage the evaluation needs; implemented in `evaluation-repository.ts`. */
export interface EvaluationStore {
  /**
   * The same storage with every read of values (latest values, the direct facts, checkpoint values) seeing each
   * observation as it stood at `knownAt` (transaction time): absent if recorded later, its old value if revised later.
   */
  asKnownAt(knownAt: Date): EvaluationStore;
  targets(): Promise<TargetRecord[]>;
  indicators(): Promise<IndicatorRecord[]>;
  regions(): Promise<RegionRecord[]>;
  /** successor id → ids of the units that went wholly into it, transitively. */
  fullPredecessors(): Promise<Map<number, number[]>>;
  /**
   * Latest observation (no dims) at or before `asOf` of every series: indicator → region → point; only the series of
   * `indicators` when given.
   */
  latestPerSeries(asOf: Date, indicators?: readonly string[]): Promise<Map<string, Map<number, Point>>>;
  /**
   * The last observation (no dims) of each target's own series at or before each of its checkpoints
   * (deadline and milestones) that have passed by `asOf`: target id → checkpoint instant (ms) → point; only
   * `targetIds`' when given.
   */
  checkpointValues(asOf: Date, targetIds?: readonly string[]): Promise<Map<string, Map<number, Point>>>;
  /**
   * Achievement and the trailing-window fit of every target's own series (only `targetIds`' when given), in one
   * set-based query.
   */
  directFacts(asOf: Date, windowStart: Date, targetIds?: readonly string[]): Promise<Map<string, DirectFacts>>;
  /**
   * Stores a run, its snapshot rows and the status changes since the previous run; returns the run id and change count.
   */
  saveRun(run: {
    asOf: Date;
    startedAt: Date;
    durationMs: number;
    results: readonly TargetResult[];
    /** What the run's notice tells api processes; by default a full run. */
    notice?: Omit<RunNotice, 'run' | 'schema'>;
  }): Promise<{ runId: number; statusChanges: number }>;
  /** The newest stored run. */
  latestRun(): Promise<{ id: number; asOf: Date; startedAt?: Date } | undefined>;
  /**
   * What changed since `since`: whether a catalog apply did, and the series committed batches wrote (indicator id →
   * region ids), or null when a batch wrote too many to list.
   */
  changesSince?(since: Date): Promise<{ catalogChanged: boolean; series: Map<string, number[]> | null }>;
  /**
   * Runs `work` while no other evaluation that saves a run does, in any process (a PostgreSQL advisory lock), so an
   * evaluation of the changed targets always merges into the newest run. Absent where one process is the only writer.
   */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * The results of a stored run (only `targetIds`' when given), joined to the targets as they are now, with the
   * instant it started: it read the observations as known then, so an evaluation as of `asOf` known at `startedAt`
   * gives its results again.
   */
  runResults(
    runId: number,
    targetIds?: readonly string[],
  ): Promise<{ asOf: Date; startedAt: Date; results: TargetResult[] } | undefined>;
}

export type { TargetStatus };
