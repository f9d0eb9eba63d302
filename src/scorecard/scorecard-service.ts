import type { Language } from '../conventions.js';
import type { Directive } from '../domain/catalog/catalog-model.js';
import { Formatter } from '../domain/language/formatter.js';
import { defaultLanguage } from '../domain/language/language.js';
import { RegionTree, type Point } from '../domain/evaluation/region-rollup.js';
import { compareWorstFirst } from '../domain/evaluation/status-order.js';
import {
  lineAt,
  targetStatuses,
  DEFAULT_TOLERANCE,
  type TargetStatus,
} from '../domain/evaluation/target-evaluation.js';
import { warningMessage, type WarningFlag } from '../domain/observations/observation-warnings.js';
import { isValidAt } from '../domain/regions/region-registry.js';
import { NotFoundError } from '../errors/pacer-error.js';
import { calendarDay, parseAsOf, parseKnownAt, refuseBeforeIssue } from '../evaluation/as-of.js';
import type { EvaluationSnapshot } from '../evaluation/evaluation-service.js';
import type { EvaluationStore, IndicatorRecord, RegionRecord, TargetResult } from '../evaluation/evaluation-store.js';
import {
  maxSeriesPoints,
  type TargetDetail,
  type TargetList,
  type TargetListQuery,
  type TargetSummary,
} from './scorecard-schema.js';

/** A directive as the scorecard heads its pages with it. */
export type DirectiveRecord = Omit<Directive, 'description'>;

/** What the target page shows beyond the evaluation's target record. */
export interface TargetDescription {
  source: string;
  note: string | null;
  regionName: string;
  /** Due dates (YYYY-MM-DD) of the milestones, in deadline order. */
  milestoneDues: string[];
  /** The catalog events that concern the target, oldest first; `at` in epoch ms. */
  events: {
    at: number;
    day: string;
    dateText: string;
    precision: 'day' | 'month';
    text: string;
    source: string | null;
  }[];
}

/** One observation of a target's own series, with the values it replaced. Instants in epoch ms. */
export interface SeriesObservation {
  at: number;
  value: number;
  note: string | null;
  batchId: number | null;
  recordedAt: number;
  revisions: { oldValue: number; newValue: number; revisedAt: number }[];
  /** The data-quality flag stored for the value, if any. */
  warning?: WarningFlag | null;
}

export interface SeriesPage {
  /** The newest `limit` observations at or before the instant, oldest first. */
  observations: SeriesObservation[];
  /** Observations at or before the instant not in `observations`. */
  earlier: number;
  /** Observations after the instant. */
  later: number;
}

export interface StatusChange {
  asOf: number;
  from: TargetStatus | null;
  to: TargetStatus;
  recordedAt: number;
}

/** Storage the scorecard reads; implemented in `scorecard-repository.ts`. */
export interface ScorecardStore {
  directives(): Promise<DirectiveRecord[]>;
  describeTarget(id: string): Promise<TargetDescription | undefined>;
  /**
   * A series without dimensions around `asOf`, with each observation's revisions; with `knownAt`, as Pacer had recorded
   * it then (each value as it stood, the revisions made by then).
   */
  series(indicatorId: string, regionId: number, asOf: Date, limit: number, knownAt?: Date): Promise<SeriesPage>;
  /** Status changes of stored evaluations up to `asOf` (recorded by `knownAt`, when given), newest first. */
  statusChanges(targetId: string, asOf: Date, limit: number, knownAt?: Date): Promise<StatusChange[]>;
  /**
   * The latest value (no dimensions) at or before `asOf` of one indicator in every region that has one, as known at
   * `knownAt` when given.
   */
  latestByRegion(indicatorId: string, asOf: Date, knownAt?: Date): Promise<Map<number, Point>>;
  /** Changes whenever a catalog apply changes anything (regions included): the id of the last apply. */
  catalogVersion(): Promise<number>;
}

export interface ScorecardDeps {
  evaluation: { compute(asOf: Date, options?: { knownAt?: Date }): Promise<EvaluationSnapshot> };
  /**
   * The newest evaluation this process knows: "now" (no `at`) is served from it, so the pages of
   * "now" change exactly when a new evaluation arrives. Without one, "now" is evaluated on request.
   */
  latest?: { current(): EvaluationSnapshot | undefined; key(): string };
  regions: Pick<EvaluationStore, 'regions' | 'fullPredecessors'>;
  store: ScorecardStore;
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** A stored result as the API and `pacer evaluate --json` show it, its text for people in `language`. */
export function targetSummary(
  r: TargetResult,
  indicator: IndicatorRecord | undefined,
  timezone: string,
  language: Language = defaultLanguage,
): TargetSummary {
  const t = r.target;
  const text = t.translations[language];
  const measure = indicator?.translations?.[language];
  return {
    target: t.id,
    title: text?.title ?? t.title,
    directive: t.directiveId,
    owner: text?.owner ?? t.owner,
    indicator: t.indicatorId,
    indicator_name: measure?.name ?? indicator?.name ?? t.indicatorId,
    unit: measure?.unit ?? indicator?.unit ?? '',
    kind: indicator?.kind ?? 'level',
    region: t.regionCode,
    status: r.status,
    reason: r.reason,
    explanation: r.explanations[language],
    achieved_late: r.achievedLate,
    achieved_at: isoOrNull(r.achievedAt),
    baseline: t.baselineValue,
    baseline_at: iso(t.baselineAt),
    target_value: t.targetValue,
    direction: t.direction,
    due: t.dueDate,
    deadline: iso(t.deadline),
    current: r.current,
    current_observed_at: isoOrNull(r.currentAt),
    current_observed_on: calendarDay(r.currentAt, timezone),
    current_source: r.currentSource,
    coverage: r.coverage,
    partial: r.partial,
    expected: r.expected,
    progress: r.progress,
    expected_progress: r.expectedProgress,
    projected: r.projected,
    value_at_deadline: r.valueAtDeadline,
    attainment_probability: r.attainmentProbability,
    projected_low: r.projectedLow,
    projected_high: r.projectedHigh,
    projected_completion: calendarDay(r.projectedCompletionAt, timezone),
  };
}

/** A directive as the API shows it: its title and issuer in `language`, else in English. */
export function directiveIn(d: DirectiveRecord, language: Language): TargetList['directives'][number] {
  const text = d.translations[language];
  return {
    id: d.id,
    title: text?.title ?? d.title,
    issuer: text?.issuer ?? d.issuer,
    issued: d.issued,
    timezone: d.timezone,
    url: d.url,
  };
}

/** Every name of a target's owner: English, then the translations. */
function ownerNamesOf(t: TargetResult['target']): string[] {
  return [t.owner, ...Object.values(t.translations).flatMap((x) => (x?.owner ? [x.owner] : []))];
}

/** Results worst first (see `domain/evaluation/status-order.ts`). */
export function worstFirst(results: readonly TargetResult[]): TargetResult[] {
  const key = (r: TargetResult) => ({
    id: r.target.id,
    status: r.status,
    progress: r.progress,
    expectedProgress: r.expectedProgress,
    deadline: r.target.deadline,
  });
  return results
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => compareWorstFirst(a.k, b.k))
    .map((x) => x.r);
}

/**
 * "Will we hit the target?": every target evaluated as of any instant (nothing stored, so a date
 * picker can go back in time), and one target with everything behind its status. The web pages,
 * the JSON API and `pacer status` all read from here.
 */
export class ScorecardService {
  private readonly now: () => number;
  /** The region registry (13,471 units for Viet Nam) is read again only after a catalog apply. */
  private regionCache:
    { version: number; load: Promise<{ units: RegionRecord[]; predecessors: Map<number, number[]> }> } | undefined;

  constructor(private readonly deps: ScorecardDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Names the evaluation the views of "now" show, for caching them; undefined while they are
   * evaluated on request (no evaluation yet), when they must not be cached.
   */
  nowKey(): string | undefined {
    return this.deps.latest?.current() ? this.deps.latest.key() : undefined;
  }

  /**
   * The evaluation a view reads: the newest one for "now" with everything known, else one computed as of the date
   * asked for, as known at the instant asked for (nothing stored).
   */
  private async snapshotAt(
    at: string | undefined,
    knownAt: string | undefined,
    directives: DirectiveRecord[],
  ): Promise<EvaluationSnapshot> {
    const newest = at || knownAt ? undefined : this.deps.latest?.current();
    if (newest) return newest;
    const asOf = this.asOf(at, directives, 'at');
    if (!knownAt) return this.deps.evaluation.compute(asOf);
    return this.deps.evaluation.compute(asOf, {
      knownAt: parseKnownAt(knownAt, timezoneOf(directives), new Date(this.now()), 'known_at'),
    });
  }

  /**
   * The instant `at` names (now when undefined), read in the directives' time zone; an instant before
   * the first directive was issued is refused, naming `field` (`at` for the API, `--at` for the CLI).
   */
  async resolveAsOf(at: string | undefined, field = 'at'): Promise<Date> {
    return this.asOf(at, await this.deps.store.directives(), field);
  }

  async list(query: TargetListQuery = {}): Promise<TargetList> {
    const directives = await this.deps.store.directives();
    const timezone = timezoneOf(directives);
    const language = query.lang ?? defaultLanguage;
    const snapshot = await this.snapshotAt(query.at, query.known_at, directives);
    const asOf = snapshot.asOf;
    const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
    const all = worstFirst(snapshot.results).map((r) =>
      targetSummary(r, indicators.get(r.target.indicatorId), timezone, language),
    );
    const counts = Object.fromEntries(targetStatuses.map((s) => [s, 0])) as Record<TargetStatus, number>;
    for (const t of all) counts[t.status]++;
    const wanted = <T>(list: T[] | undefined, value: T) => !list || list.length === 0 || list.includes(value);
    // An owner is asked for by its name in any language: a link or a script keeps working in the other one.
    const ownerNames = new Map(snapshot.results.map((r) => [r.target.id, ownerNamesOf(r.target)]));
    const ownerWanted = (t: TargetSummary) =>
      !query.owner || query.owner.length === 0 || ownerNames.get(t.target)!.some((o) => query.owner!.includes(o));
    return {
      as_of: asOf.toISOString(),
      known_at: snapshot.knownAt?.toISOString() ?? null,
      as_of_day: asOfDayOf(asOf, timezone),
      lang: language,
      timezone,
      directives: directives.map((d) => directiveIn(d, language)),
      owners: [...new Set(all.map((t) => t.owner))].sort((a, b) => a.localeCompare(b)),
      counts,
      total: all.length,
      targets: all.filter(
        (t) => wanted(query.status, t.status) && ownerWanted(t) && wanted(query.directive, t.directive),
      ),
    };
  }

  async detail(
    id: string,
    at?: string,
    knownAtText?: string,
    language: Language = defaultLanguage,
  ): Promise<TargetDetail> {
    const [directives, description] = await Promise.all([
      this.deps.store.directives(),
      this.deps.store.describeTarget(id),
    ]);
    if (!description) throw new NotFoundError(`no target "${id}"`);
    const timezone = timezoneOf(directives);
    const snapshot = await this.snapshotAt(at, knownAtText, directives);
    const { asOf, knownAt } = snapshot;
    const r = snapshot.results.find((x) => x.target.id === id);
    if (!r) throw new NotFoundError(`no target "${id}"`);
    const t = r.target;
    const indicator = snapshot.indicators.find((i) => i.id === t.indicatorId);
    const [series, history, regions] = await Promise.all([
      this.deps.store.series(t.indicatorId, t.regionId, asOf, maxSeriesPoints, knownAt),
      this.deps.store.statusChanges(id, asOf, 500, knownAt),
      this.breakdown(r, indicator, asOf, knownAt),
    ]);
    const directive = directives.find((d) => d.id === t.directiveId)!;
    // English says it as the push answer does; another language in its own words, numbers and days.
    const format = language === defaultLanguage ? undefined : new Formatter(language, timezone);
    const flagged = (flag: WarningFlag) =>
      format
        ? warningMessage(
            flag,
            (ms) => format.day(ms),
            false,
            format.messages.warnings,
            (x) => format.number(x),
          )
        : warningMessage(flag, (ms) => calendarDay(ms, timezone)!);
    return {
      as_of: asOf.toISOString(),
      known_at: knownAt?.toISOString() ?? null,
      as_of_day: asOfDayOf(asOf, timezone),
      lang: language,
      timezone,
      directive: directiveIn(directive, language),
      target: {
        ...targetSummary(r, indicator, timezone, language),
        region_name: description.regionName,
        source: t.translations[language]?.source ?? description.source,
        tolerance: t.tolerance ?? DEFAULT_TOLERANCE,
        update_interval_seconds: indicator?.updateIntervalSeconds ?? 0,
        milestones: t.milestones.map((m, i) => ({
          due: description.milestoneDues[i] ?? calendarDay(m.deadline - 1, timezone)!,
          deadline: iso(m.deadline),
          value: m.value,
        })),
        note: description.note,
      },
      observations: series.observations.map((o) => ({
        observed_at: iso(o.at),
        observed_on: calendarDay(o.at, timezone)!,
        value: o.value,
        note: o.note,
        batch_id: o.batchId,
        recorded_at: iso(o.recordedAt),
        revisions: o.revisions.map((v) => ({
          old_value: v.oldValue,
          new_value: v.newValue,
          revised_at: iso(v.revisedAt),
        })),
        ...(o.warning && { warning: { code: o.warning.code, message: flagged(o.warning) } }),
      })),
      earlier_observations: series.earlier,
      later_observations: series.later,
      pace: [
        { at: t.baselineAt, value: t.baselineValue },
        ...t.milestones.map((m) => ({ at: m.deadline, value: m.value })),
        { at: t.deadline, value: t.targetValue },
      ].map((p) => ({ at: iso(p.at), value: p.value })),
      forecast: forecastSegment(r, asOf.getTime()),
      // What had happened by the date viewed: a view of the past does not know later events.
      events: description.events
        .filter((e) => e.at <= asOf.getTime())
        .map((e) => ({
          at: iso(e.at),
          day: e.day,
          written: e.dateText,
          precision: e.precision,
          text: e.text,
          source: e.source,
        })),
      status_history: history.map((c) => ({
        as_of: iso(c.asOf),
        from: c.from,
        to: c.to,
        recorded_at: iso(c.recordedAt),
      })),
      regions,
    };
  }

  private async regionRegistry(): Promise<{ units: RegionRecord[]; predecessors: Map<number, number[]> }> {
    const version = await this.deps.store.catalogVersion();
    if (this.regionCache?.version !== version) {
      const load = Promise.all([this.deps.regions.regions(), this.deps.regions.fullPredecessors()]).then(
        ([units, predecessors]) => ({ units, predecessors }),
      );
      this.regionCache = { version, load };
      load.catch(() => {
        if (this.regionCache?.load === load) this.regionCache = undefined;
      });
    }
    return this.regionCache.load;
  }

  private asOf(at: string | undefined, directives: DirectiveRecord[], field: string): Date {
    if (!at) return new Date(this.now());
    const asOf = parseAsOf(at, timezoneOf(directives), field);
    refuseBeforeIssue(asOf, directives, field);
    return asOf;
  }

  /**
   * The target region's parts in force now (or at `asOf`, when later), each valued from the data
   * known at `asOf`. Today's map, yesterday's data: pre-2025 provincial figures count toward the
   * 2025 province they merged into, so the breakdown always reads on the 34 provinces.
   */
  private async breakdown(
    r: TargetResult,
    indicator: IndicatorRecord | undefined,
    asOf: Date,
    knownAt: Date | undefined,
  ): Promise<TargetDetail['regions']> {
    const [{ units, predecessors }, latest] = await Promise.all([
      this.regionRegistry(),
      indicator
        ? this.deps.store.latestByRegion(indicator.id, asOf, knownAt)
        : Promise.resolve(new Map<number, Point>()),
    ]);
    const byId = new Map(units.map((u) => [u.id, u]));
    const parent = byId.get(r.target.regionId);
    const later = new Date(Math.max(this.now(), asOf.getTime()));
    // A target pinned to a unit that has since ended keeps the map of its own time.
    const inForceAt = parent && !isValidAt(parent, later) ? asOf : later;
    const tree = new RegionTree(units, predecessors, inForceAt);
    const value = tree.valuer(indicator?.rollup ?? 'none', latest);
    const items: TargetDetail['regions']['items'] = [];
    const missing: TargetDetail['regions']['missing'] = [];
    const parts = parent ? tree.children(parent.id).map((id) => byId.get(id)!) : [];
    for (const part of parts) {
      const v = value(part.id);
      if (v)
        items.push({
          code: part.code,
          name: part.name,
          value: v.value,
          observed_at: iso(v.at),
          source: v.source,
          coverage: v.coverage,
        });
      else missing.push({ code: part.code, name: part.name });
    }
    items.sort((a, b) => b.value - a.value || a.code.localeCompare(b.code));
    missing.sort((a, b) => a.code.localeCompare(b.code));
    return {
      parent: { code: parent?.code ?? r.target.regionCode, name: parent?.name ?? r.target.regionCode },
      level: parts[0]?.level ?? null,
      in_force_at: inForceAt.toISOString(),
      parts: parts.length,
      reporting: items.length,
      items,
      missing,
    };
  }
}

/**
 * The calendar date an "as of" instant stands for: a bare date means the end of that day, which is one
 * millisecond before the next day's start, so an instant on a midnight closes the day before.
 */
export function asOfDayOf(asOf: Date, timezone: string): string {
  return calendarDay(asOf.getTime() - 1, timezone)!;
}

/** The time zone dates are read in: the directives' (the first, by id), else UTC. */
export function timezoneOf(directives: readonly DirectiveRecord[]): string {
  return directives[0]?.timezone ?? 'UTC';
}

/**
 * The forecast line from the latest value, read off the evaluation's own line: to the deadline while the latest
 * value is before it. Once the latest value is past the deadline (a missed target whose figures went on), the
 * evaluation still has a line, and the chart draws where it leads: to the projected completion, or to the date
 * viewed when the line does not reach the target after it, so long as that is no further ahead than the target's
 * whole history again.
 */
function forecastSegment(r: TargetResult, asOf: number): { at: string; value: number }[] {
  // A stored run keeps the line's two ends (now and at the deadline), not the line: draw it through them.
  const line =
    r.forecast ??
    (r.forecastNow !== null && r.projected !== null && r.target.deadline > asOf
      ? { intercept: r.forecastNow, slope: (r.projected - r.forecastNow) / (r.target.deadline - asOf) }
      : null);
  const from = r.currentAt;
  const deadline = r.target.deadline;
  if (!line || from === null) return [];
  if (from < deadline) {
    if (r.projected === null) return [];
    return [
      { at: iso(from), value: lineAt(line, from, asOf) },
      { at: iso(deadline), value: r.projected },
    ];
  }
  const completion = r.projectedCompletionAt;
  const reach = asOf + (asOf - r.target.baselineAt);
  const to = completion !== null && completion <= reach ? completion : asOf;
  if (to <= from) return [];
  return [
    { at: iso(from), value: lineAt(line, from, asOf) },
    { at: iso(to), value: lineAt(line, to, asOf) },
  ];
}
