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
import { InputError } from '../errors/pacer-error.js';
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

/** The options of {@link EvaluationService.evaluate}. */
export interface EvaluationOptions {
  /** Valid time: evaluate with the values dated up to this instant; default now. */
  asOf?: Date;
  /** Transaction time: each value as Pacer had recorded it at this instant; default now (everything recorded). */
  knownAt?: Date;
  /** Store the run (default true); must be false with `knownAt`. */
  persist?: boolean;
}

/** The error for a `knownAt` after now: what Pacer will have recorded by then is not known yet. */
function knownAtInFuture(): InputError {
  const message = 'the instant is in the future: only what Pacer has recorded so far is known';
  return new InputError(`known_at: ${message}`, [{ code: 'future_known_at', field: 'known_at', message }]);
}

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
  /** Valid time: the values dated up to this instant. */
  asOf: Date;
  /** Transaction time: each value as Pacer had recorded it at this instant; absent: everything recorded (now). */
  knownAt?: Date;
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

  /**
   * Evaluates every target as of `asOf` (default now: values dated up to it) and, unless `persist` is false, stores
   * the run. With `knownAt`, each value as Pacer had recorded it at that instant (a value recorded later is absent,
   * one corrected later has its old value): such an evaluation is not stored, since a stored run is what was known
   * when it ran (see {@link compute}).
   */
  async evaluate(options: EvaluationOptions = {}): Promise<EvaluationRunSummary> {
    if (options.knownAt && options.persist !== false)
      throw new InputError('an evaluation as known at an earlier instant is not stored: pass persist: false', [
        {
          code: 'known_at_not_stored',
          field: 'known_at',
          message: 'an evaluation as known at an earlier instant is not stored',
        },
      ]);
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
              scope: {
                targets: reached,
                indicators: changedIndicators,
                catalog: { indicators, regions, predecessors },
              },
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
        notice: { base: newest.id, indicators: changedIndicators, targets: nameable(reached.map((t) => t.id)) },
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

  private async evaluateAll(options: EvaluationOptions): Promise<EvaluationRunSummary> {
    const startedAt = new Date();
    const started = performance.now();
    try {
      const snapshot = await this.compute(options.asOf ?? startedAt, { knownAt: options.knownAt });
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
        ...(snapshot.knownAt && { knownAt: snapshot.knownAt }),
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
   * Evaluates every target as of `asOf` (valid time: values dated up to it) without storing anything; with `scope`,
   * only its targets, and indicator values of its indicators only.
   *
   * With `knownAt` (transaction time), every value read (latest values, the forecast fit and achievement, values at
   * deadlines and milestones, rollups and their coverage) is the observation as Pacer had recorded it at that
   * instant: one recorded later is absent, one corrected later has the value it had then. A stored run read the
   * values known when it started, so `compute(run.asOf, { knownAt: run.startedAt })` gives its results again, however
   * the data was corrected since. The catalog (targets, regions) is read as it is now. Without `knownAt`: every value
   * recorded, by the plain queries. `knownAt` may be before `asOf`, never after now.
   */
  async compute(asOf: Date, options: { scope?: EvaluationScope; knownAt?: Date } = {}): Promise<EvaluationSnapshot> {
    const { scope, knownAt } = options;
    if (knownAt && knownAt.getTime() > Date.now()) throw knownAtInFuture();
    const store = this.deps.store;
    const values = knownAt ? store.asKnownAt(knownAt) : store;
    const [targets, indicators, regions, predecessors, latest, direct, checkpoints] = await Promise.all([
      scope?.targets ?? store.targets(),
      scope?.catalog.indicators ?? store.indicators(),
      scope?.catalog.regions ?? store.regions(),
      scope?.catalog.predecessors ?? store.fullPredecessors(),
      values.latestPerSeries(asOf, scope?.indicators),
      values.directFacts(
        asOf,
        new Date(asOf.getTime() - this.windowMs),
        scope?.targets.map((t) => t.id),
      ),
      values.checkpointValues(
        asOf,
        scope?.targets.map((t) => t.id),
      ),
    ]);
    const valuers = new Valuers(regions, predecessors, asOf, indicators, latest);
    const t = asOf.getTime();
    const past = await this.pastValues(values, targets, valuers, checkpoints, t, {
      regions,
      predecessors,
      indicators,
    });

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

    return {
      runId: null,
      asOf,
      ...(knownAt && { knownAt }),
      results,
      indicators,
      indicatorValues: valuers.all(),
    };
  }

  /**
   * Rollup valuers as of each passed checkpoint (deadline, milestone) where a target's own series
   * has no value: the units in force then, and only the indicators that need it. Most catalogs
   * share a handful of deadlines, so this is a few extra queries, not one per target.
   */
  private async pastValues(
    values: EvaluationStore,
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
      const latest = await values.latestPerSeries(at, [...ids]);
      out.set(instant, new Valuers(tree.regions, tree.predecessors, at, tree.indicators, latest));
    }
    return out;
  }

  /**
   * The stored run as a snapshot, with indicator values recomputed as of the run's instant; with
   * `changedSince`, only those of the indicators named, the others taken from the base snapshot
   * (a run of the changed targets only, merged into that base), and, when it names them, only the
   * results of the targets evaluated again read from storage.
   */
  async storedSnapshot(
    runId: number,
    changedSince?: { base: EvaluationSnapshot; indicators: readonly string[]; targets?: readonly string[] | null },
  ): Promise<EvaluationSnapshot | undefined> {
    const store = this.deps.store;
    const targets = changedSince?.targets ?? undefined;
    const loaded = await store.runResults(runId, targets);
    if (!loaded) return undefined;
    // Only the targets evaluated again are read; the others are the base's results, the very same objects.
    const fresh = targets && new Map(loaded.results.map((r) => [r.target.id, r]));
    const run = fresh
      ? { asOf: loaded.asOf, results: changedSince!.base.results.map((r) => fresh.get(r.target.id) ?? r) }
      : loaded;
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

/**
 * Target ids a notification can carry: PostgreSQL limits a payload to 8,000 bytes, and the rest of
 * the notice needs room. Null when they do not fit (the listener then reads the whole run).
 */
function nameable(ids: readonly string[]): string[] | null {
  let bytes = 0;
  for (const id of ids) bytes += Buffer.byteLength(id) + 3;
  return bytes <= 4_000 ? [...ids] : null;
}
