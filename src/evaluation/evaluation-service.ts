import { targetsReached } from '../domain/evaluation/affected-targets.js';
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
import { Formatter } from '../domain/language/formatter.js';
import { languages, type Language } from '../conventions.js';
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

/**
 * How far before a run's start batches count as possibly unseen by it: a batch's commit follows its
 * recorded finish, and the worker's clock may differ a little from the database's. Re-evaluating a
 * target whose data did not change gives the same result, so the margin only costs a little work.
 */
const UNSEEN_MARGIN_MS = 60_000;

/** What an evaluation of some targets reads: those targets, the catalog around them, and the indicators to value. */
export interface EvaluationScope {
  targets: TargetRecord[];
  /** The indicators whose series are read and valued (the targets' indicators, at least). */
  indicators: string[];
  catalog: { indicators: IndicatorRecord[]; regions: RegionRecord[]; predecessors: Map<number, number[]> };
}

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
  /** How far before the newest run's start a committed batch counts as possibly unseen by it; default a minute. */
  unseenMarginMs?: number;
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

  /** The newest snapshot this service saved: what an evaluation of the changed targets merges into. */
  private last: EvaluationSnapshot | undefined;

  async evaluate(options: { asOf?: Date; persist?: boolean } = {}): Promise<EvaluationRunSummary> {
    if (options.persist === false) return this.evaluateAll(options);
    const run = () => this.evaluateAll(options);
    return this.deps.store.exclusive ? this.deps.store.exclusive(run) : run();
  }

  /**
   * Evaluates, as of now, only the targets the batches committed since the newest run can have
   * changed (their indicator's series in their region, or in any region that rolls up into it),
   * and saves the newest run with those results replaced. Falls back to {@link evaluate} when it
   * cannot tell what changed: no run yet, a catalog apply, a batch too large to list its series,
   * or no snapshot of the newest run in this process.
   */
  async evaluateChanges(options: { asOf?: Date } = {}): Promise<EvaluationRunSummary> {
    const run = () => this.evaluateChangesNow(options.asOf);
    return this.deps.store.exclusive ? this.deps.store.exclusive(run) : run();
  }

  private async evaluateChangesNow(at: Date | undefined): Promise<EvaluationRunSummary> {
    const store = this.deps.store;
    const startedAt = new Date();
    const asOf = at ?? startedAt;
    const started = performance.now();
    const [newest, last] = [await store.latestRun(), this.last];
    const all = () => this.evaluateAll({ asOf: at });
    // A run back in time (pacer evaluate --at ... --save) is no base for "now", nor one after the instant asked for.
    const backInTime =
      !newest?.startedAt || (at ? newest.asOf > at : newest.asOf.getTime() < newest.startedAt.getTime());
    if (!store.changesSince || !newest?.startedAt || !last || backInTime) return all();
    const margin = this.deps.unseenMarginMs ?? UNSEEN_MARGIN_MS;
    const changes = await store.changesSince(new Date(newest.startedAt.getTime() - margin));
    if (changes.catalogChanged || !changes.series) return all();
    try {
      // Another process saved the newest run: its results are the base; the indicator values stay ours.
      const baseResults = newest.id === last.runId ? last.results : (await store.runResults(newest.id))?.results;
      if (!baseResults) return await all();
      const [targets, indicators, regions, predecessors] = await Promise.all([
        store.targets(),
        store.indicators(),
        store.regions(),
        store.fullPredecessors(),
      ]);
      const reached = targetsReached(targets, regions, predecessors, changes.series);
      const changedIndicators = [...changes.series.keys()];
      const partial =
        reached.length > 0 || changedIndicators.length > 0
          ? await this.compute(asOf, {
              targets: reached,
              indicators: changedIndicators,
              catalog: { indicators, regions, predecessors },
            })
          : undefined;
      const fresh = new Map(partial?.results.map((r) => [r.target.id, r]));
      const changed = new Set(changedIndicators);
      const snapshot: EvaluationSnapshot = {
        runId: null,
        asOf,
        results: baseResults.map((r) => fresh.get(r.target.id) ?? r),
        indicators,
        indicatorValues: [
          ...last.indicatorValues.filter((v) => !changed.has(v.indicatorId)),
          ...(partial?.indicatorValues ?? []),
        ],
      };
      const durationMs = performance.now() - started;
      const saved = await store.saveRun({
        asOf: snapshot.asOf,
        startedAt,
        durationMs,
        results: snapshot.results,
        notice: { base: newest.id, indicators: changedIndicators },
      });
      snapshot.runId = saved.runId;
      this.last = snapshot;
      this.deps.metrics?.evaluationDuration.observe(durationMs / 1000);
      this.deps.metrics?.evaluationRuns.inc({ outcome: 'ok' });
      this.deps.onSnapshot?.(snapshot);
      this.deps.logger.debug(
        { runId: saved.runId, base: newest.id, evaluated: reached.length, ms: Math.round(durationMs) },
        'evaluated the changed targets',
      );
      return {
        runId: saved.runId,
        asOf: snapshot.asOf,
        targets: snapshot.results.length,
        evaluated: reached.length,
        statusChanges: saved.statusChanges,
        durationMs,
      };
    } catch (error) {
      this.deps.metrics?.evaluationRuns.inc({ outcome: 'failed' });
      throw error;
    }
  }

  private async evaluateAll(options: { asOf?: Date; persist?: boolean }): Promise<EvaluationRunSummary> {
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
        // The base of the next evaluation of changes (which checks it is not a run back in time).
        this.last = snapshot;
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

  /**
   * Evaluates every target as of `asOf` without storing anything; with `scope`, only its targets,
   * and indicator values of its indicators only.
   */
  async compute(asOf: Date, scope?: EvaluationScope): Promise<EvaluationSnapshot> {
    const store = this.deps.store;
    const [targets, indicators, regions, predecessors, latest, direct, checkpoints] = await Promise.all([
      scope?.targets ?? store.targets(),
      scope?.catalog.indicators ?? store.indicators(),
      scope?.catalog.regions ?? store.regions(),
      scope?.catalog.predecessors ?? store.fullPredecessors(),
      store.latestPerSeries(asOf, scope?.indicators),
      store.directFacts(
        asOf,
        new Date(asOf.getTime() - this.windowMs),
        scope?.targets.map((t) => t.id),
      ),
      store.checkpointValues(asOf),
    ]);
    const valuers = new Valuers(regions, predecessors, asOf, indicators, latest);
    const t = asOf.getTime();
    const past = await this.pastValues(targets, valuers, checkpoints, t, { regions, predecessors, indicators });

    // One formatter per language and time zone for the whole run: the Intl objects are the costly part.
    const built = new Map<string, Formatter>();
    const formatters = (language: Language, timezone: string) => {
      const key = `${language} ${timezone}`;
      let format = built.get(key);
      if (!format) built.set(key, (format = new Formatter(language, timezone)));
      return format;
    };
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
      const context = { kind: spec.indicatorKind, rollup: indicator?.rollup ?? 'none' };
      // Every language's sentence now, while the whole evaluation is at hand: a stored run keeps only
      // some of it (not the parts counted, the missed milestone or the fitted pace).
      const explanations = Object.fromEntries(
        languages.map((language) => [
          language,
          explainTarget(spec, evaluation, { ...context, format: formatters(language, target.timezone) }),
        ]),
      ) as Record<Language, string>;
      return { ...evaluation, explanations, target, currentSource: rolled?.source ?? null };
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

  /**
   * The stored run as a snapshot, with indicator values recomputed as of the run's instant; with
   * `changedSince`, only those of the indicators named, the others taken from the base snapshot
   * (a run of the changed targets only, merged into that base).
   */
  async storedSnapshot(
    runId: number,
    changedSince?: { base: EvaluationSnapshot; indicators: readonly string[] },
  ): Promise<EvaluationSnapshot | undefined> {
    const store = this.deps.store;
    const run = await store.runResults(runId);
    if (!run) return undefined;
    const [indicators, regions, predecessors, latest] = await Promise.all([
      store.indicators(),
      store.regions(),
      store.fullPredecessors(),
      store.latestPerSeries(run.asOf, changedSince?.indicators),
    ]);
    const valuers = new Valuers(regions, predecessors, run.asOf, indicators, latest);
    const changed = new Set(changedSince?.indicators);
    const kept = changedSince?.base.indicatorValues.filter((v) => !changed.has(v.indicatorId)) ?? [];
    return { runId, asOf: run.asOf, results: run.results, indicators, indicatorValues: [...kept, ...valuers.all()] };
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
