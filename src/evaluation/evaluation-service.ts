import { RegionTree, type Point } from '../domain/evaluation/region-rollup.js';
import {
  achievementOf,
  DEFAULT_FORECAST_WINDOW_MS,
  DEFAULT_MIN_COVERAGE,
  evaluateTarget,
  firstMeetings,
  type TargetFacts,
  type TargetSpec,
  type ValueAt,
} from '../domain/evaluation/target-evaluation.js';
import { explainTarget } from '../domain/evaluation/target-explanation.js';
import { isValidAt } from '../domain/regions/region-registry.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { EvaluationRunner, EvaluationRunSummary } from './evaluation-runner.js';
import type {
  EvaluationStore,
  IndicatorRecord,
  IndicatorValue,
  RegionRecord,
  TargetRecord,
  TargetResult,
} from './evaluation-store.js';

/** Everything one evaluation produced: what the exporter renders and the scorecard shows. */
export interface EvaluationSnapshot {
  runId: number | null;
  asOf: Date;
  results: TargetResult[];
  indicators: IndicatorRecord[];
  /** Effective values of every indicator in every region in force at `asOf` that has one. */
  indicatorValues: IndicatorValue[];
}

export interface EvaluationServiceDeps {
  store: EvaluationStore;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** Trailing window of the least-squares forecast. */
  forecastWindowMs?: number;
  /** Receives every snapshot this process computes (the exporter's cache listens). */
  onSnapshot?: (snapshot: EvaluationSnapshot) => void;
}

/**
 * Evaluates every target in a handful of set-based queries (latest value per series, and one
 * aggregate over the targets' own series for achievement and the forecast fit), then applies
 * the pure semantics of `domain/evaluation` in memory.
 */
export class EvaluationService implements EvaluationRunner {
  private readonly windowMs: number;

  constructor(private readonly deps: EvaluationServiceDeps) {
    this.windowMs = deps.forecastWindowMs ?? DEFAULT_FORECAST_WINDOW_MS;
  }

  async evaluate(options: { asOf?: Date; persist?: boolean } = {}): Promise<EvaluationRunSummary> {
    const startedAt = new Date();
    const started = performance.now();
    try {
      const snapshot = await this.compute(options.asOf ?? startedAt);
      const durationMs = performance.now() - started;
      let statusChanges = 0;
      if (options.persist !== false) {
        const saved = await this.deps.store.saveRun({
          asOf: snapshot.asOf,
          startedAt,
          durationMs,
          results: snapshot.results,
        });
        snapshot.runId = saved.runId;
        statusChanges = saved.statusChanges;
      }
      this.deps.metrics?.evaluationDuration.observe(durationMs / 1000);
      this.deps.metrics?.evaluationRuns.inc({ outcome: 'ok' });
      this.deps.onSnapshot?.(snapshot);
      this.deps.logger.debug(
        { runId: snapshot.runId, targets: snapshot.results.length, statusChanges, ms: Math.round(durationMs) },
        'evaluated',
      );
      return {
        runId: snapshot.runId,
        asOf: snapshot.asOf,
        targets: snapshot.results.length,
        statusChanges,
        durationMs,
      };
    } catch (error) {
      this.deps.metrics?.evaluationRuns.inc({ outcome: 'failed' });
      throw error;
    }
  }

  /** Evaluates every target as of `asOf` without storing anything. */
  async compute(asOf: Date): Promise<EvaluationSnapshot> {
    const store = this.deps.store;
    const [targets, indicators, regions, predecessors, latest, direct, checkpoints] = await Promise.all([
      store.targets(),
      store.indicators(),
      store.regions(),
      store.fullPredecessors(),
      store.latestPerSeries(asOf),
      store.directFacts(asOf, new Date(asOf.getTime() - this.windowMs)),
      store.checkpointValues(asOf),
    ]);
    const valuers = new Valuers(regions, predecessors, asOf, indicators, latest);
    const t = asOf.getTime();
    const past = await this.pastValues(targets, valuers, checkpoints, t, { regions, predecessors, indicators });

    const results: TargetResult[] = targets.map((target) => {
      const indicator = valuers.indicator(target.indicatorId);
      const spec: TargetSpec = {
        ...target,
        indicatorKind: indicator?.kind ?? 'level',
        updateIntervalSeconds: indicator?.updateIntervalSeconds ?? 86_400,
        monotone: indicator?.monotone ?? null,
      };
      const rolled = indicator ? valuers.of(indicator)(target.regionId) : undefined;
      const at = (instant: number): ValueAt | null => {
        if (instant > t) return null;
        const own = checkpoints.get(target.id)?.get(instant);
        if (own) return { ...own, coverage: 1, parts: null };
        return (indicator && past.get(instant)?.of(indicator)(target.regionId)) || null;
      };
      const atDeadline = at(target.deadline);
      const atMilestones = target.milestones.map((m) => at(m.deadline));
      let facts: TargetFacts;
      if (!rolled) {
        facts = { latest: null, fit: null, achievedAt: null, achievedLateAt: null, coverage: null, atDeadline };
      } else if (rolled.source === 'direct') {
        const d = direct.get(target.id);
        const achievement = d ? achievementOf(target.direction, d.reach) : { achievedAt: null, achievedLateAt: null };
        facts = { latest: rolled, fit: d?.fit ?? null, ...achievement, coverage: 1, atDeadline, atMilestones };
      } else {
        // A rolled-up value has no series of its own: achievement is judged on the values at the
        // deadline and now, and only on those from enough parts, unless a partial sum already meets
        // an at-least target (the missing parts can only add to it).
        const counts = (v: ValueAt | null): v is ValueAt =>
          v !== null &&
          ((v.coverage ?? 1) >= (target.minCoverage ?? DEFAULT_MIN_COVERAGE) ||
            (indicator!.rollup === 'sum' && target.direction === 'at_least'));
        const judged = [atDeadline, rolled].filter(counts);
        const achievement = achievementOf(target.direction, firstMeetings(judged, target));
        facts = {
          latest: rolled,
          fit: null,
          ...achievement,
          coverage: rolled.coverage,
          parts: rolled.parts,
          atDeadline,
          atMilestones,
        };
      }
      const evaluation = evaluateTarget(spec, facts, t);
      const explanation = explainTarget(spec, evaluation, {
        kind: spec.indicatorKind,
        rollup: indicator?.rollup ?? 'none',
        timezone: target.timezone,
      });
      return { ...evaluation, explanation, target, currentSource: rolled?.source ?? null };
    });

    return { runId: null, asOf, results, indicators, indicatorValues: valuers.all() };
  }

  /**
   * Rollup valuers as of each passed checkpoint (deadline, milestone) where a target's own series
   * has no value: the units in force then, and only the indicators that need it. Most catalogs
   * share a handful of deadlines, so this is a few extra queries, not one per target.
   */
  private async pastValues(
    targets: readonly TargetRecord[],
    valuers: Valuers,
    checkpoints: ReadonlyMap<string, ReadonlyMap<number, Point>>,
    asOf: number,
    tree: { regions: RegionRecord[]; predecessors: Map<number, number[]>; indicators: IndicatorRecord[] },
  ): Promise<Map<number, Valuers>> {
    const wanted = new Map<number, Set<string>>();
    for (const target of targets) {
      const indicator = valuers.indicator(target.indicatorId);
      if (!indicator || indicator.rollup === 'none') continue;
      for (const instant of [target.deadline, ...target.milestones.map((m) => m.deadline)]) {
        if (instant > asOf || checkpoints.get(target.id)?.has(instant)) continue;
        const ids = wanted.get(instant) ?? new Set<string>();
        wanted.set(instant, ids.add(indicator.id));
      }
    }
    const out = new Map<number, Valuers>();
    for (const [instant, ids] of wanted) {
      const at = new Date(instant);
      const latest = await this.deps.store.latestPerSeries(at, [...ids]);
      out.set(instant, new Valuers(tree.regions, tree.predecessors, at, tree.indicators, latest));
    }
    return out;
  }

  /** The stored run as a snapshot, with indicator values recomputed as of the run's instant. */
  async storedSnapshot(runId: number): Promise<EvaluationSnapshot | undefined> {
    const store = this.deps.store;
    const run = await store.runResults(runId);
    if (!run) return undefined;
    const [indicators, regions, predecessors, latest] = await Promise.all([
      store.indicators(),
      store.regions(),
      store.fullPredecessors(),
      store.latestPerSeries(run.asOf),
    ]);
    const valuers = new Valuers(regions, predecessors, run.asOf, indicators, latest);
    return { runId, asOf: run.asOf, results: run.results, indicators, indicatorValues: valuers.all() };
  }
}

/** Per-indicator rollup valuers over one region tree. */
class Valuers {
  private readonly tree: RegionTree;
  private readonly byId: Map<string, IndicatorRecord>;
  private readonly cache = new Map<string, (regionId: number) => ReturnType<ReturnType<RegionTree['valuer']>>>();

  constructor(
    private readonly regions: RegionRecord[],
    predecessors: Map<number, number[]>,
    private readonly asOf: Date,
    private readonly indicators: IndicatorRecord[],
    private readonly latest: Map<string, Map<number, Point>>,
  ) {
    this.tree = new RegionTree(regions, predecessors, asOf);
    this.byId = new Map(indicators.map((i) => [i.id, i]));
  }

  indicator(id: string): IndicatorRecord | undefined {
    return this.byId.get(id);
  }

  of(indicator: IndicatorRecord) {
    let valuer = this.cache.get(indicator.id);
    if (!valuer) {
      valuer = this.tree.valuer(indicator.rollup, this.latest.get(indicator.id) ?? new Map());
      this.cache.set(indicator.id, valuer);
    }
    return valuer;
  }

  /** Every indicator's value in every region in force at the instant, where it has one. */
  all(): IndicatorValue[] {
    const current = this.regions.filter((r) => isValidAt(r, this.asOf));
    const out: IndicatorValue[] = [];
    for (const indicator of this.indicators) {
      if (!this.latest.has(indicator.id)) continue;
      const value = this.of(indicator);
      for (const region of current) {
        const v = value(region.id);
        if (v)
          out.push({
            indicatorId: indicator.id,
            regionId: region.id,
            regionCode: region.code,
            regionName: region.name,
            level: region.level,
            value: v.value,
            at: v.at,
            coverage: v.coverage,
          });
      }
    }
    return out;
  }
}
