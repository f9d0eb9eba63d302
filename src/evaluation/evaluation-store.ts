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
  milestones: { deadline: number; value: number }[];
  /** The directive's time zone: the explanation's dates are days there. */
  timezone: string;
}

export interface IndicatorRecord {
  id: string;
  name: string;
  unit: string;
  kind: IndicatorKind;
  rollup: Rollup;
  updateIntervalSeconds: number;
  monotone: Monotone | null;
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
  /** The reason in one sentence with the numbers (see `explainTarget`). */
  explanation: string;
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

/** Storage the evaluation needs; implemented in `evaluation-repository.ts`. */
export interface EvaluationStore {
  targets(): Promise<TargetRecord[]>;
  indicators(): Promise<IndicatorRecord[]>;
  regions(): Promise<RegionRecord[]>;
  /** successor id → ids of the units that went wholly into it, transitively. */
  fullPredecessors(): Promise<Map<number, number[]>>;
  /**
   * Latest observation (no dims) at or before `asOf` of every series (of these indicators only, when
   * given): indicator → region → point.
   */
  latestPerSeries(asOf: Date, indicatorIds?: readonly string[]): Promise<Map<string, Map<number, Point>>>;
  /**
   * The last observation (no dims) of each target's own series at or before each of its checkpoints
   * (deadline and milestones) that have passed by `asOf`: target id → checkpoint instant (ms) → point.
   */
  checkpointValues(asOf: Date): Promise<Map<string, Map<number, Point>>>;
  /** Achievement and the trailing-window fit of every target's own series, in one set-based query. */
  directFacts(asOf: Date, windowStart: Date): Promise<Map<string, DirectFacts>>;
  /**
   * Stores a run, its snapshot rows and the status changes since the previous run; returns the run id and change count.
   */
  saveRun(run: {
    asOf: Date;
    startedAt: Date;
    durationMs: number;
    results: readonly TargetResult[];
  }): Promise<{ runId: number; statusChanges: number }>;
  /** The newest stored run. */
  latestRun(): Promise<{ id: number; asOf: Date } | undefined>;
  /** The results of a stored run, joined to the targets as they are now. */
  runResults(runId: number): Promise<{ asOf: Date; results: TargetResult[] } | undefined>;
}

export type { TargetStatus };
