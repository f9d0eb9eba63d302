import { targetStatuses, type TargetStatus } from '../../conventions.js';
import type { Direction, IndicatorKind } from '../catalog/catalog-schema.js';

/**
 * Pacer's evaluation semantics, as pure functions. For a target with baseline value b at t0,
 * target value v, deadline D and a direction, evaluated as of t:
 *
 * - current c: the latest value at or before t (direct, or rolled up: see `region-rollup.ts`);
 * - expected e(t) = b + (v − b) · clamp((t − t0) / (D − t0), 0, 1), or piecewise linear through
 *   the target's milestones;
 * - progress (c − b) / (v − b), expected progress (e(t) − b) / (v − b);
 * - forecast: least squares of value on time over the trailing window (≥ 2 points), else the
 *   line from (t0, b) to the latest point; its value at D is the projection, and where it reaches
 *   v the projected completion (none when it moves away from v);
 * - status, the first that holds: achieved, missed, no_data, on_track, at_risk, off_track;
 *   milestone (0/1) targets: achieved, missed, at_risk in the last 14 days, else on_track.
 */

// The statuses are exported names (the `status` label, the API, the database), so they are defined
// with the other conventions; the evaluation re-exports them for its callers.
export { targetStatuses, type TargetStatus };

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
}

/** A straight line `value(τ) = intercept + slope · (τ − asOf)`, slope per millisecond. */
export interface Line {
  slope: number;
  intercept: number;
}

/** Least-squares statistics over the forecast window: n points, and the fitted line when n ≥ 2. */
export interface WindowFit {
  n: number;
  line: Line | null;
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
}

export interface TargetEvaluation {
  status: TargetStatus;
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
  /**
   * The forecast line itself: its slope is known even as of the deadline, where `forecastNow` and `projected` coincide.
   * Absent in stored runs.
   */
  forecast?: Line | null;
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
  return { reach: firstMeetings(known, spec), fit: { n: window.length, line: leastSquares(window, asOf) } };
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
 * The forecast line: the window's least-squares fit when it has at least two points, else the
 * line from the baseline to the latest point, else (latest at the baseline instant) flat.
 */
export function forecastLine(
  spec: Pick<TargetSpec, 'baselineValue' | 'baselineAt'>,
  facts: Pick<TargetFacts, 'latest' | 'fit'>,
  asOf: number,
): Line | null {
  if (facts.fit && facts.fit.n >= 2 && facts.fit.line) return facts.fit.line;
  const latest = facts.latest;
  if (!latest) return null;
  if (latest.at === spec.baselineAt) return { slope: 0, intercept: latest.value };
  const slope = (latest.value - spec.baselineValue) / (latest.at - spec.baselineAt);
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

/** Evaluates one target as of `asOf` from the facts the data give. */
export function evaluateTarget(spec: TargetSpec, facts: TargetFacts, asOf: number): TargetEvaluation {
  const b = spec.baselineValue;
  const v = spec.targetValue;
  const span = v - b;
  const expected = expectedValue(spec, asOf);
  const current = facts.latest?.value ?? null;
  const line = forecastLine(spec, facts, asOf);
  const projected = line ? lineAt(line, spec.deadline, asOf) : null;
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
    projectedCompletionAt: line ? completionAt(line, v, spec.direction, asOf) : null,
    coverage: facts.coverage,
    forecast: line,
  };

  if (facts.achievedAt !== null) return { ...base, status: 'achieved' };
  if (asOf > spec.deadline) return { ...base, status: 'missed', achievedLate: facts.achievedLateAt !== null };

  if (spec.indicatorKind === 'milestone') {
    return { ...base, status: spec.deadline - asOf <= MILESTONE_RISK_WINDOW_MS ? 'at_risk' : 'on_track' };
  }

  const staleBefore = asOf - STALE_AFTER_INTERVALS * spec.updateIntervalSeconds * 1000;
  if (!facts.latest || facts.latest.at < staleBefore || projected === null) return { ...base, status: 'no_data' };
  if (meets(spec.direction, projected, v)) return { ...base, status: 'on_track' };
  const shortfall = spec.direction === 'at_least' ? v - projected : projected - v;
  const band = (spec.tolerance ?? DEFAULT_TOLERANCE) * Math.abs(span);
  return { ...base, status: shortfall <= band ? 'at_risk' : 'off_track' };
}
