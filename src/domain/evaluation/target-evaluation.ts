import { targetReasons, targetStatuses, type TargetReason, type TargetStatus } from '../../conventions.js';
import type { Direction, IndicatorKind, Monotone } from '../catalog/catalog-schema.js';
import { studentTCdf, studentTQuantile } from './student-t.js';

/**
 * Pacer's evaluation semantics, as pure functions. For a target with baseline value b at t0,
 * target value v, deadline D and a direction, evaluated as of t:
 *
 * - every bare date (a reported value's, the baseline's, the deadline's, an as-of date) is the end of
 *   that day in the directive's time zone, compared inclusively;
 * - current c: the latest value at or before t (direct, or rolled up: see `region-rollup.ts`);
 * - expected e(t) = b + (v − b) · clamp((t − t0) / (D − t0), 0, 1), or piecewise linear through
 *   the target's milestones;
 * - progress (c − b) / (v − b), expected progress (e(t) − b) / (v − b);
 * - forecast: the pace is the least-squares slope over the trailing window (≥ 2 points), else the
 *   slope from (t0, b) to the latest point. For a monotone indicator (cumulative ones grow) the line
 *   starts at the latest value and a pace against the indicator's direction counts as zero, so the
 *   forecast never falls behind what was already observed; other indicators use the fitted line
 *   itself. Tasks (milestone indicators, 0/1) get no forecast;
 * - after the deadline the projection is the actual value at the deadline (the last value at or
 *   before it), fixed whatever the viewing date; a projected completion is given only for a target
 *   not met, with a pace toward it, when it lies after t;
 * - status and reason, the first that holds: achieved (`target_met`), missed or, when the value at
 *   the deadline is a partial rollup, no_data (`deadline_passed` / `incomplete_coverage`); no_data
 *   without a value (`no_report`), from too few of a rollup's parts (`incomplete_coverage`) or too
 *   old (`stale`); tasks: at_risk in their last 14 days (`task_due_soon`), else on_track
 *   (`task_open`); on_track when the forecast meets the target (`forecast_meets`), unless the last
 *   passed milestone was missed beyond the tolerance (at_risk, `milestone_missed`); at_risk when it
 *   falls short within the tolerance, else off_track (`forecast_short`).
 */

// The statuses are exported names (the `status` label, the API, the database), so they are defined
// with the other conventions; the evaluation re-exports them for its callers.
export { targetReasons, targetStatuses, type TargetReason, type TargetStatus };

/** Default at-risk band: 10% of |v − b|. */
export const DEFAULT_TOLERANCE = 0.1;
/** A value older than this many update intervals counts as no data. */
export const STALE_AFTER_INTERVALS = 3;
/** Milestone targets are at risk in their last 14 days. */
export const MILESTONE_RISK_WINDOW_MS = 14 * 86_400_000;
/** The largest instant a JavaScript Date (and a report) can hold. */
const MAX_DATE_MS = 8.64e15;
/** Default trailing window of the least-squares forecast. */
export const DEFAULT_FORECAST_WINDOW_MS = 180 * 86_400_000;
/** Default least share of a rollup's parts that must report: all of them (a missing part is a missing share). */
export const DEFAULT_MIN_COVERAGE = 1;

/** What the evaluation needs to know of a target. Instants are epoch milliseconds. */
export interface TargetSpec {
  indicatorKind: IndicatorKind;
  updateIntervalSeconds: number;
  baselineValue: number;
  baselineAt: number;
  targetValue: number;
  deadline: number;
  direction: Direction;
  tolerance: number | null;
  milestones: readonly { deadline: number; value: number }[];
  /** The one way the indicator's value can move (cumulative: increasing); null or absent: both. */
  monotone?: Monotone | null;
  /** Least share of a rollup's parts that must report; absent: {@link DEFAULT_MIN_COVERAGE}. */
  minCoverage?: number | null;
}

/** How many of a rolled-up value's parts reported, of how many, and their level (province, ...). */
export interface Parts {
  reported: number;
  total: number;
  level: string | null;
}

/** A value at an instant, with the coverage of the parts it was rolled up from (1 for a direct value). */
export interface ValueAt {
  at: number;
  value: number;
  coverage?: number | null;
  parts?: Parts | null;
}

/** A straight line `value(τ) = intercept + slope · (τ − asOf)`, slope per millisecond. */
export interface Line {
  slope: number;
  intercept: number;
}

/**
 * The spread of the window's points around their fitted line, what a prediction interval needs. x is the
 * instant in milliseconds relative to the evaluation instant, as for {@link Line}.
 */
export interface FitSpread {
  /** Mean x of the window's points. */
  meanX: number;
  /** Σ (x − mean x)². */
  sxx: number;
  /** Residual sum of squares of the fitted line: Σ (y − ŷ)². */
  sse: number;
}

/** Least-squares statistics over the forecast window: n points, the fitted line when n ≥ 2, and its spread. */
export interface WindowFit {
  n: number;
  line: Line | null;
  /** Present with the line; absent from facts that do not carry it (no chance to meet is given then). */
  spread?: FitSpread | null;
}

/** What the data say about a target as of t. */
export interface TargetFacts {
  /** The current value and when it was observed (the newest contributing observation for a rollup). */
  latest: { at: number; value: number } | null;
  /** The fit over the trailing window of the target's own series; null for rolled-up values. */
  fit: WindowFit | null;
  /** First observation at or before D (and t) that meets v. */
  achievedAt: number | null;
  /** First observation after D (and at or before t) that meets v. */
  achievedLateAt: number | null;
  /** Share of the region's parts that reported (1 for a direct observation). */
  coverage: number | null;
  /** The parts behind a rolled-up current value; null or absent for a direct one. */
  parts?: Parts | null;
  /** Once the deadline has passed: the last value at or before it (null: none). */
  atDeadline?: ValueAt | null;
  /** For each of the spec's milestones, in order: the last value at or before it once passed (else null). */
  atMilestones?: readonly (ValueAt | null)[];
}

/** A milestone the target missed, as the reason names it. */
export interface MissedMilestone {
  deadline: number;
  value: number;
  /** The value reported by the milestone. */
  observed: number;
}

export interface TargetEvaluation {
  status: TargetStatus;
  /** Why: the machine code behind the status (see `targetReasons`). */
  reason: TargetReason;
  achievedLate: boolean;
  achievedAt: number | null;
  current: number | null;
  currentAt: number | null;
  expected: number;
  progress: number | null;
  expectedProgress: number;
  projected: number | null;
  /** The forecast line's value now: with `projected`, the two ends of the forecast line. */
  forecastNow: number | null;
  projectedCompletionAt: number | null;
  coverage: number | null;
  /** The actual value at the deadline once it has passed (null before, or with no value by then). */
  valueAtDeadline: number | null;
  /** The value judged is a rollup of fewer parts than the minimum coverage. */
  partial: boolean;
  /** The parts behind the value judged, for a rollup. */
  parts: Parts | null;
  /** The last passed milestone, when it was missed beyond the tolerance. */
  missedMilestone: MissedMilestone | null;
  /**
   * The forecast line itself: its slope is known even as of the deadline, where `forecastNow` and `projected` coincide.
   * Absent in stored runs.
   */
  forecast?: Line | null;
  /**
   * The chance the value at the deadline meets the target (0..1), from the prediction interval of the window's
   * fit (see {@link attainment}): 1 once achieved, 0 once missed; null for tasks, no_data and too few points.
   */
  attainmentProbability: number | null;
  /** The low end of the 80% prediction band of the value at the deadline (the actual value once passed). */
  projectedLow: number | null;
  /** The high end of that band. */
  projectedHigh: number | null;
}

/** The one statement of "meets the target": at least, or at most, the target value. */
export function meets(direction: Direction, value: number, target: number): boolean {
  return direction === 'at_least' ? value >= target : value <= target;
}

/** A series' first instants meeting the target value in one direction: by the deadline (inclusive), and after it. */
export interface FirstMeeting {
  byDeadline: number | null;
  afterDeadline: number | null;
}

/**
 * When a series first met the target value, for both directions: facts that do not depend on
 * the target's direction, so the set-based query can compute them without knowing the rule
 * ({@link achievementOf} applies it).
 */
export type ReachFacts = Record<Direction, FirstMeeting>;

/** What a target's own series says as of t: when it reached the target value, and the trailing-window fit. */
export interface SeriesFacts {
  reach: ReachFacts;
  fit: WindowFit;
}

type SeriesPoint = { at: number; value: number };
type ReachSpec = Pick<TargetSpec, 'targetValue' | 'deadline'>;

/** {@link ReachFacts} of `points` (all of them, so the caller passes only points known at t). */
export function firstMeetings(points: readonly SeriesPoint[], spec: ReachSpec): ReachFacts {
  const first = (direction: Direction): FirstMeeting => {
    let byDeadline: number | null = null;
    let afterDeadline: number | null = null;
    for (const p of points) {
      if (!meets(direction, p.value, spec.targetValue)) continue;
      if (p.at <= spec.deadline) byDeadline = byDeadline === null ? p.at : Math.min(byDeadline, p.at);
      else afterDeadline = afterDeadline === null ? p.at : Math.min(afterDeadline, p.at);
    }
    return { byDeadline, afterDeadline };
  };
  return { at_least: first('at_least'), at_most: first('at_most') };
}

type Achievement = Pick<TargetFacts, 'achievedAt' | 'achievedLateAt'>;

/** Achievement as the target's direction reads the reach facts. */
export function achievementOf(direction: Direction, reach: ReachFacts): Achievement {
  const first = reach[direction];
  return { achievedAt: first.byDeadline, achievedLateAt: first.afterDeadline };
}

/**
 * {@link SeriesFacts} of a target's own series as of `asOf`: reach over the points at or before
 * `asOf`, least squares over those after `windowStart`. The reference the set-based query
 * (EvaluationRepository.directFacts) is tested against.
 */
export function seriesFacts(
  points: readonly SeriesPoint[],
  spec: ReachSpec,
  asOf: number,
  windowStart: number,
): SeriesFacts {
  const known = points.filter((p) => p.at <= asOf);
  const window = known.filter((p) => p.at > windowStart);
  return { reach: firstMeetings(known, spec), fit: windowFit(window, asOf) };
}

/** {@link WindowFit} of the window's points: the least-squares line and the spread around it. */
export function windowFit(points: readonly { at: number; value: number }[], asOf: number): WindowFit {
  const n = points.length;
  const line = leastSquares(points, asOf);
  if (!line) return { n, line, spread: null };
  let sx = 0;
  for (const p of points) sx += p.at - asOf;
  const meanX = sx / n;
  let sxx = 0;
  let sse = 0;
  for (const p of points) {
    const x = p.at - asOf;
    sxx += (x - meanX) ** 2;
    sse += (p.value - lineAt(line, p.at, asOf)) ** 2;
  }
  return { n, line, spread: { meanX, sxx, sse } };
}

/** e(t): straight from (t0, b) to (D, v), or through the milestones; flat outside [t0, D]. */
export function expectedValue(
  spec: Pick<TargetSpec, 'baselineValue' | 'baselineAt' | 'targetValue' | 'deadline' | 'milestones'>,
  at: number,
): number {
  const points = [
    { at: spec.baselineAt, value: spec.baselineValue },
    ...spec.milestones.map((m) => ({ at: m.deadline, value: m.value })),
    { at: spec.deadline, value: spec.targetValue },
  ];
  if (at <= points[0]!.at) return points[0]!.value;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (at <= b.at) return a.value + (b.value - a.value) * ((at - a.at) / (b.at - a.at));
  }
  return spec.targetValue;
}

/** Least squares of value on time; null with fewer than two points or all at one instant. */
export function leastSquares(points: readonly { at: number; value: number }[], asOf: number): Line | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.at - asOf;
    sy += p.value;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const dx = p.at - asOf - mx;
    sxx += dx * dx;
    sxy += dx * (p.value - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * The forecast line: the pace is the window's least-squares slope when it has at least two points,
 * else the slope from the baseline to the latest point (flat when the latest is at the baseline
 * instant). A monotone indicator's line starts at the latest value, with a pace against its direction
 * taken as zero; any other indicator's is the fitted line itself.
 */
export function forecastLine(
  spec: Pick<TargetSpec, 'baselineValue' | 'baselineAt' | 'monotone'>,
  facts: Pick<TargetFacts, 'latest' | 'fit'>,
  asOf: number,
): Line | null {
  const latest = facts.latest;
  const fitted = facts.fit && facts.fit.n >= 2 && facts.fit.line ? facts.fit.line : null;
  if (fitted && !spec.monotone) return fitted;
  if (!latest) return fitted;
  let slope = fitted
    ? fitted.slope
    : latest.at === spec.baselineAt
      ? 0
      : (latest.value - spec.baselineValue) / (latest.at - spec.baselineAt);
  if (spec.monotone === 'increasing') slope = Math.max(0, slope);
  if (spec.monotone === 'decreasing') slope = Math.min(0, slope);
  return { slope, intercept: latest.value + slope * (asOf - latest.at) };
}

export function lineAt(line: Line, at: number, asOf: number): number {
  return line.intercept + line.slope * (at - asOf);
}

/** Where the line reaches `target`, if it moves toward it; null when flat or moving away. */
export function completionAt(line: Line, target: number, direction: Direction, asOf: number): number | null {
  const towards = direction === 'at_least' ? line.slope > 0 : line.slope < 0;
  if (!towards) return null;
  const at = asOf + (target - line.intercept) / line.slope;
  // A nearly flat line reaches the target ages away, past what a date can hold: no date then.
  return Math.abs(at) <= MAX_DATE_MS ? at : null;
}

/** The two-sided coverage of the projected band, `projectedLow` to `projectedHigh`. */
export const ATTAINMENT_BAND = 0.8;
/** The chance to meet below which a target is reported unlikely, unless its catalog entry sets `unlikely_below`. */
export const DEFAULT_UNLIKELY_BELOW = 0.2;
/** Fewest window points for a chance to meet: two fix the line, a third measures the spread around it. */
export const MIN_ATTAINMENT_POINTS = 3;

/** The chance to meet the target and the band of the value at the deadline; all null when unknown. */
export interface Attainment {
  probability: number | null;
  low: number | null;
  high: number | null;
}

const unknownAttainment: Attainment = { probability: null, low: null, high: null };

/**
 * The prediction of the value at the deadline from the window's least-squares fit, as Student's t:
 * with n points, residual standard error s = sqrt(SSE / (n − 2)), the value at the deadline is
 * centre + se · T with T ~ t(n − 2), where
 *
 * - for an indicator free to move both ways the centre is the fitted line at x0 = D and
 *   se = s · sqrt(1 + 1/n + (x0 − x̄)² / Sxx): the textbook prediction interval of a new observation;
 * - for a monotone indicator the forecast line starts at the latest value xL with the fitted slope, so
 *   the centre is that projection and se = s · sqrt(1 + (x0 − xL)² / Sxx): the slope's standard error
 *   s / sqrt(Sxx) carried over the horizon from the latest value, plus the spread of one value around the
 *   line. The latest value is a count already reached, not an estimate, so the intercept's share (1/n)
 *   is left out; and the final value cannot fall behind it, so the band is cut at the latest value.
 *
 * Null without a window fit of at least {@link MIN_ATTAINMENT_POINTS} points at distinct instants.
 */
export function deadlinePrediction(
  spec: Pick<TargetSpec, 'deadline' | 'monotone'>,
  facts: Pick<TargetFacts, 'latest' | 'fit'>,
  line: Line,
  asOf: number,
): { centre: number; se: number; df: number; floor: number | null; ceiling: number | null } | null {
  const fit = facts.fit;
  const spread = fit?.spread;
  if (!fit || !fit.line || !spread || fit.n < MIN_ATTAINMENT_POINTS || !(spread.sxx > 0)) return null;
  const df = fit.n - 2;
  const s = Math.sqrt(Math.max(0, spread.sse) / df);
  const centre = lineAt(line, spec.deadline, asOf);
  const latest = facts.latest;
  if (spec.monotone && latest) {
    const horizon = spec.deadline - latest.at;
    const se = s * Math.sqrt(1 + (horizon * horizon) / spread.sxx);
    const floor = spec.monotone === 'increasing' ? latest.value : null;
    const ceiling = spec.monotone === 'decreasing' ? latest.value : null;
    return { centre, se, df, floor, ceiling };
  }
  const dx = spec.deadline - asOf - spread.meanX;
  const se = s * Math.sqrt(1 + 1 / fit.n + (dx * dx) / spread.sxx);
  return { centre, se, df, floor: null, ceiling: null };
}

/**
 * The chance that the value at the deadline meets the target, and its {@link ATTAINMENT_BAND} band,
 * from {@link deadlinePrediction}; for a target not yet decided. A fit with no spread (points exactly on
 * the line) gives 1 or 0 and a band of one value.
 */
export function attainment(
  spec: Pick<TargetSpec, 'deadline' | 'monotone' | 'targetValue' | 'direction'>,
  facts: Pick<TargetFacts, 'latest' | 'fit'>,
  line: Line,
  asOf: number,
): Attainment {
  const p = deadlinePrediction(spec, facts, line, asOf);
  if (!p) return unknownAttainment;
  const bounded = (x: number) => Math.min(p.ceiling ?? Infinity, Math.max(p.floor ?? -Infinity, x));
  const v = spec.targetValue;
  // P(value ≤ x) and P(value < x): the two differ only where the value piles up (the floor or ceiling of
  // a monotone indicator, or the one value of a fit with no spread); meeting the target includes a tie.
  const atMost = (x: number) => {
    if (p.floor !== null && x < p.floor) return 0;
    if (p.ceiling !== null && x >= p.ceiling) return 1;
    if (p.se === 0) return x >= p.centre ? 1 : 0;
    return studentTCdf((x - p.centre) / p.se, p.df);
  };
  const below = (x: number) => {
    if (p.floor !== null && x <= p.floor) return 0;
    if (p.ceiling !== null && x > p.ceiling) return 1;
    if (p.se === 0) return x > p.centre ? 1 : 0;
    return studentTCdf((x - p.centre) / p.se, p.df);
  };
  const probability = spec.direction === 'at_least' ? 1 - below(v) : atMost(v);
  const q = p.se === 0 ? 0 : studentTQuantile(0.5 + ATTAINMENT_BAND / 2, p.df) * p.se;
  return { probability, low: bounded(p.centre - q), high: bounded(p.centre + q) };
}

/** The last passed milestone (before the deadline), when its reported value missed it beyond the band. */
function missedMilestoneOf(spec: TargetSpec, facts: TargetFacts, asOf: number, band: number): MissedMilestone | null {
  let last = -1;
  spec.milestones.forEach((m, i) => {
    if (m.deadline <= asOf && m.deadline < spec.deadline) last = i;
  });
  if (last < 0) return null;
  const milestone = spec.milestones[last]!;
  const observed = facts.atMilestones?.[last];
  if (!observed) return null;
  const short = spec.direction === 'at_least' ? milestone.value - observed.value : observed.value - milestone.value;
  return short > band ? { deadline: milestone.deadline, value: milestone.value, observed: observed.value } : null;
}

/** Evaluates one target as of `asOf` from the facts the data give. */
export function evaluateTarget(spec: TargetSpec, facts: TargetFacts, asOf: number): TargetEvaluation {
  const b = spec.baselineValue;
  const v = spec.targetValue;
  const span = v - b;
  const task = spec.indicatorKind === 'milestone';
  const minCoverage = spec.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const passed = asOf > spec.deadline;
  const expected = expectedValue(spec, asOf);
  const current = facts.latest?.value ?? null;
  const line = task ? null : forecastLine(spec, facts, asOf);
  const atDeadline = passed ? (facts.atDeadline ?? null) : null;
  const projected = passed ? (atDeadline?.value ?? null) : line ? lineAt(line, spec.deadline, asOf) : null;
  const met = facts.achievedAt !== null || facts.achievedLateAt !== null;
  const completion = !met && line ? completionAt(line, v, spec.direction, asOf) : null;
  const judged = passed
    ? atDeadline
    : facts.latest && { ...facts.latest, coverage: facts.coverage, parts: facts.parts };
  const partial = judged?.coverage != null && judged.coverage < minCoverage;
  const band = (spec.tolerance ?? DEFAULT_TOLERANCE) * Math.abs(span);
  const base = {
    achievedAt: facts.achievedAt,
    achievedLate: false,
    current,
    currentAt: facts.latest?.at ?? null,
    expected,
    progress: current === null ? null : (current - b) / span,
    expectedProgress: (expected - b) / span,
    projected,
    forecastNow: line ? lineAt(line, asOf, asOf) : null,
    projectedCompletionAt: completion !== null && completion > asOf ? completion : null,
    coverage: facts.coverage,
    valueAtDeadline: atDeadline?.value ?? null,
    partial,
    parts: judged?.parts ?? null,
    missedMilestone: null,
    forecast: line,
  };
  const chance = !task && line ? attainment(spec, facts, line, asOf) : unknownAttainment;
  // Decided: certain, and past the deadline the band is the actual value; before it, an achieved target keeps
  // the band of the forecast (the value can still move) when there is one.
  const decided = (probability: number): Attainment => {
    if (task) return unknownAttainment;
    if (!passed && chance.low !== null) return { ...chance, probability };
    return { probability, low: projected, high: projected };
  };
  const is = (status: TargetStatus, reason: TargetReason, more: Partial<TargetEvaluation> = {}): TargetEvaluation => {
    const odds = status === 'achieved' ? decided(1) : status === 'missed' ? decided(0) : chance;
    // A status that cannot be judged gives no chance either.
    const shown = status === 'no_data' ? unknownAttainment : odds;
    return {
      ...base,
      status,
      reason,
      attainmentProbability: shown.probability,
      projectedLow: shown.low,
      projectedHigh: shown.high,
      ...more,
    };
  };

  if (facts.achievedAt !== null) return is('achieved', 'target_met');
  if (passed) {
    if (partial) return is('no_data', 'incomplete_coverage');
    return is('missed', 'deadline_passed', { achievedLate: facts.achievedLateAt !== null });
  }
  if (!facts.latest) return is('no_data', 'no_report');
  if (partial) return is('no_data', 'incomplete_coverage');
  const staleBefore = asOf - STALE_AFTER_INTERVALS * spec.updateIntervalSeconds * 1000;
  if (facts.latest.at < staleBefore) return is('no_data', 'stale');
  if (task) {
    return spec.deadline - asOf <= MILESTONE_RISK_WINDOW_MS
      ? is('at_risk', 'task_due_soon')
      : is('on_track', 'task_open');
  }
  if (projected === null) return is('no_data', 'no_report');
  const missedMilestone = missedMilestoneOf(spec, facts, asOf, band);
  const shortfall = spec.direction === 'at_least' ? v - projected : projected - v;
  if (shortfall <= 0) {
    return missedMilestone ? is('at_risk', 'milestone_missed', { missedMilestone }) : is('on_track', 'forecast_meets');
  }
  return is(shortfall <= band ? 'at_risk' : 'off_track', 'forecast_short', { missedMilestone });
}
