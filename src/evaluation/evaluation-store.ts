import type { Direction, IndicatorKind, Rollup } from '../domain/catalog/catalog-schema.js';
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
  milestones: { deadline: number; value: number }[];
}

export interface IndicatorRecord {
  id: string;
  name: string;
  unit: string;
  kind: IndicatorKind;
  rollup: Rollup;
  updateIntervalSeconds: number;
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
  /** Latest observation (no dims) at or before `asOf` of every series: indicator → region → point. */
  latestPerSeries(asOf: Date): Promise<Map<string, Map<number, Point>>>;
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
