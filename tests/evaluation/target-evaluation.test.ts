import { describe, expect, it } from 'vitest';
import {
  completionAt,
  evaluateTarget,
  expectedValue,
  forecastLine,
  leastSquares,
  lineAt,
  type TargetSpec,
} from '../../src/domain/evaluation/target-evaluation.js';

const DAY = 86_400_000;
const t0 = Date.UTC(2022, 11, 31, 17); // 2023-01-01 00:00 in Ho Chi Minh City
const D = t0 + 365 * DAY;
const spec: TargetSpec = {
  indicatorKind: 'cumulative',
  updateIntervalSeconds: 30 * 86_400,
  baselineValue: 0,
  baselineAt: t0,
  targetValue: 100,
  deadline: D,
  direction: 'at_least',
  tolerance: null,
  milestones: [],
};

describe('expected pace', () => {
  it('runs straight from the baseline to the target and stays flat outside', () => {
    expect(expectedValue(spec, t0 - DAY)).toBe(0);
    expect(expectedValue(spec, t0 + 146 * DAY)).toBeCloseTo(40, 10);
    expect(expectedValue(spec, D + DAY)).toBe(100);
  });

  it('runs through the milestones when the target has them', () => {
    const withMilestone = { ...spec, milestones: [{ deadline: t0 + 120 * DAY, value: 60 }] };
    expect(expectedValue(withMilestone, t0 + 60 * DAY)).toBeCloseTo(30, 10);
    expect(expectedValue(withMilestone, t0 + 120 * DAY)).toBeCloseTo(60, 10);
    expect(expectedValue(withMilestone, t0 + 242.5 * DAY)).toBeCloseTo(80, 10);
  });
});

describe('forecast line', () => {
  const asOf = t0 + 146 * DAY;

  it('fits five points by least squares: slope 0.5 a day through (120, 40)', () => {
    const points = [
      [100, 30],
      [110, 36],
      [120, 38],
      [130, 46],
      [140, 50],
    ].map(([d, v]) => ({ at: t0 + d! * DAY, value: v! }));
    const line = leastSquares(points, asOf)!;
    expect(line.slope * DAY).toBeCloseTo(0.5, 10);
    expect(lineAt(line, t0 + 120 * DAY, asOf)).toBeCloseTo(40, 10);
    expect(lineAt(line, D, asOf)).toBeCloseTo(162.5, 10);
    expect(completionAt(line, 100, 'at_least', asOf)).toBeCloseTo(t0 + 240 * DAY, -3);
  });

  it('has no least-squares line for one point or points at one instant', () => {
    expect(leastSquares([{ at: t0, value: 1 }], asOf)).toBeNull();
    expect(
      leastSquares(
        [
          { at: t0, value: 1 },
          { at: t0, value: 2 },
        ],
        asOf,
      ),
    ).toBeNull();
  });

  it('falls back to the line from the baseline to the latest point, flat when they coincide', () => {
    const line = forecastLine(spec, { latest: { at: t0 + 140 * DAY, value: 50 }, fit: { n: 1, line: null } }, asOf)!;
    expect(lineAt(line, D, asOf)).toBeCloseTo((50 / 140) * 365, 8);
    expect(forecastLine(spec, { latest: { at: t0, value: 7 }, fit: null }, asOf)).toEqual({ slope: 0, intercept: 7 });
  });

  it('gives no completion date when a nearly flat line would reach the target past any representable date', () => {
    expect(completionAt({ slope: 1e-12, intercept: 50 }, 1e6, 'at_least', asOf)).toBeNull();
    expect(completionAt({ slope: 1e-3, intercept: 50 }, 1e6, 'at_least', asOf)).not.toBeNull();
  });

  it('gives no completion date for a line moving away from the target', () => {
    expect(completionAt({ slope: -1, intercept: 50 }, 100, 'at_least', asOf)).toBeNull();
    expect(completionAt({ slope: 1, intercept: 50 }, 0, 'at_most', asOf)).toBeNull();
    expect(completionAt({ slope: 0, intercept: 50 }, 100, 'at_least', asOf)).toBeNull();
  });
});

describe('status precedence', () => {
  const latest = { at: t0 + 140 * DAY, value: 50 };
  const facts = { latest, fit: null, achievedAt: null, achievedLateAt: null, coverage: 1 };

  it('says achieved before anything else, even past the deadline', () => {
    expect(evaluateTarget(spec, { ...facts, achievedAt: t0 + 200 * DAY }, D + 10 * DAY).status).toBe('achieved');
  });

  it('says missed after the deadline, and notes a late achievement', () => {
    expect(evaluateTarget(spec, facts, D + 60_000)).toMatchObject({ status: 'missed', achievedLate: false });
    expect(evaluateTarget(spec, { ...facts, achievedLateAt: D + DAY }, D + 2 * DAY)).toMatchObject({
      status: 'missed',
      achievedLate: true,
    });
  });

  it('says no_data without a value or with one older than three update intervals', () => {
    expect(evaluateTarget(spec, { ...facts, latest: null }, t0 + 146 * DAY).status).toBe('no_data');
    expect(evaluateTarget(spec, facts, latest.at + 90 * DAY + 1).status).toBe('no_data');
    expect(evaluateTarget(spec, facts, latest.at + 90 * DAY).status).not.toBe('no_data');
  });

  it('grades the projection: on_track, at_risk within the tolerance, off_track beyond it', () => {
    const at = (projectedAtD: number, tolerance: number | null = null) => {
      const asOf = t0 + 146 * DAY;
      const line = { slope: (projectedAtD - 50) / (D - asOf), intercept: 50 };
      return evaluateTarget(
        { ...spec, tolerance },
        { ...facts, latest: { at: asOf, value: 50 }, fit: { n: 3, line } },
        asOf,
      ).status;
    };
    expect(at(100)).toBe('on_track');
    expect(at(90.5)).toBe('at_risk');
    expect(at(89.5)).toBe('off_track');
    expect(at(80, 0.25)).toBe('at_risk');
  });

  it('judges tasks by their report and date: no_data unreported, on_track, at_risk in the last 14 days, missed', () => {
    const milestone: TargetSpec = { ...spec, indicatorKind: 'milestone', targetValue: 1 };
    const none = { latest: null, fit: null, achievedAt: null, achievedLateAt: null, coverage: null };
    const open = (at: number) => ({ ...none, latest: { at: at - DAY, value: 0 }, coverage: 1 });
    expect(evaluateTarget(milestone, none, D - 15 * DAY)).toMatchObject({ status: 'no_data', reason: 'no_report' });
    expect(evaluateTarget(milestone, open(D - 15 * DAY), D - 15 * DAY)).toMatchObject({
      status: 'on_track',
      reason: 'task_open',
      projected: null,
      projectedCompletionAt: null,
    });
    expect(evaluateTarget(milestone, open(D - 14 * DAY), D - 14 * DAY).status).toBe('at_risk');
    expect(evaluateTarget(milestone, none, D + 1).status).toBe('missed');
    expect(evaluateTarget(milestone, { ...none, achievedAt: D - DAY }, D + DAY).status).toBe('achieved');
  });
});
