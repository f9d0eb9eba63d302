import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from '../../src/domain/evaluation/student-t.js';
import {
  attainment,
  evaluateTarget,
  forecastLine,
  windowFit,
  type TargetSpec,
} from '../../src/domain/evaluation/target-evaluation.js';
import { seededRandom } from '../support/seeded-random.js';

const DAY = 86_400_000;

/** Standard normal draws from a uniform generator (Box–Muller). */
function gaussian(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe("Student's t distribution", () => {
  // Two-sided table values (any statistics textbook): t such that P(T ≤ t) = p.
  const table: [p: number, df: number, t: number][] = [
    [0.9, 1, 3.077684],
    [0.9, 2, 1.885618],
    [0.9, 5, 1.475884],
    [0.9, 10, 1.372184],
    [0.9, 30, 1.310415],
    [0.95, 3, 2.353363],
    [0.975, 2, 4.302653],
    [0.975, 10, 2.228139],
    [0.975, 120, 1.97993],
    [0.995, 4, 4.604095],
  ];

  it.each(table)('has the tabled quantile for p = %s with %s degrees of freedom', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 5);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 5);
    expect(studentTCdf(t, df)).toBeCloseTo(p, 6);
  });

  it('is the Cauchy distribution with one degree of freedom and symmetric about zero', () => {
    for (const t of [-10, -1, 0.3, 2, 50]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTCdf(1.3, 7) + studentTCdf(-1.3, 7)).toBeCloseTo(1, 14);
  });

  it('approaches the normal distribution as the degrees of freedom grow', () => {
    expect(studentTQuantile(0.9, 1e6)).toBeCloseTo(1.281552, 4);
    expect(studentTCdf(1.959964, 1e6)).toBeCloseTo(0.975, 5);
  });
});

describe('the chance to meet the target', () => {
  const asOf = Date.UTC(2024, 0, 1);
  const level: TargetSpec = {
    indicatorKind: 'level',
    updateIntervalSeconds: 30 * 86_400,
    baselineValue: 0,
    baselineAt: asOf - 400 * DAY,
    targetValue: 100,
    deadline: asOf + 30 * DAY,
    direction: 'at_least',
    tolerance: null,
    milestones: [],
  };
  // Residuals −4, 12, −12, 4 around the line 50 + 1·(day − mean day), which reaches 100 at the deadline.
  const points = [-35, -25, -15, -5].map((d, i) => ({
    at: asOf + d * DAY,
    value: 50 + (d + 20) + [-4, 12, -12, 4][i]!,
  }));
  const facts = { latest: points[3]!, fit: windowFit(points, asOf) };

  it('is one half when the projection is the target, with the textbook prediction band around it', () => {
    const a = attainment(level, facts, forecastLine(level, facts, asOf)!, asOf);
    expect(a.probability).toBeCloseTo(0.5, 12);
    // s² = 320 / 2, se = s · sqrt(1 + 1/4 + 50² / 500) = sqrt(1000); t(0.9, 2) = 1.885618.
    expect(a.low).toBeCloseTo(100 - 1.885618 * Math.sqrt(1000), 4);
    expect(a.high).toBeCloseTo(100 + 1.885618 * Math.sqrt(1000), 4);
  });

  it('reads the same band from the other side for an at_most target', () => {
    const lower = { ...level, targetValue: 100 - 1.885618 * Math.sqrt(1000), direction: 'at_most' as const };
    const a = attainment(lower, facts, forecastLine(lower, facts, asOf)!, asOf);
    expect(a.probability).toBeCloseTo(0.1, 5);
  });

  it('is not given with two points, for tasks, or when the status cannot be judged', () => {
    const two = { latest: points[3]!, fit: windowFit(points.slice(2), asOf) };
    expect(evaluateTarget(level, { ...two, achievedAt: null, achievedLateAt: null, coverage: 1 }, asOf)).toMatchObject({
      attainmentProbability: null,
      projectedLow: null,
      projectedHigh: null,
    });
    const task = { ...level, indicatorKind: 'milestone' as const, targetValue: 1 };
    const taskFacts = { latest: { at: asOf - DAY, value: 0 }, fit: null, achievedAt: null, achievedLateAt: null };
    expect(evaluateTarget(task, { ...taskFacts, coverage: 1 }, asOf).attainmentProbability).toBeNull();
    const daily = { ...level, updateIntervalSeconds: 86_400 };
    const stale = evaluateTarget(daily, { ...facts, achievedAt: null, achievedLateAt: null, coverage: 1 }, asOf);
    expect(stale).toMatchObject({
      status: 'no_data',
      reason: 'stale',
      attainmentProbability: null,
      projectedLow: null,
    });
  });

  it('is 1 once achieved and 0 once missed, the band then being the value at the deadline', () => {
    const open = { ...facts, achievedLateAt: null, coverage: 1 };
    expect(evaluateTarget(level, { ...open, achievedAt: asOf - DAY }, asOf).attainmentProbability).toBe(1);
    const after = level.deadline + DAY;
    const missed = evaluateTarget(
      level,
      { ...open, achievedAt: null, atDeadline: { at: level.deadline - DAY, value: 73 } },
      after,
    );
    expect(missed).toMatchObject({ status: 'missed', attainmentProbability: 0, projectedLow: 73, projectedHigh: 73 });
  });

  it('starts a cumulative band at the latest value and never below it', () => {
    const count = { ...level, indicatorKind: 'cumulative' as const, monotone: 'increasing' as const };
    const flat = [-35, -25, -15, -5].map((d, i) => ({ at: asOf + d * DAY, value: [60, 58, 61, 59][i]! }));
    const f = { latest: flat[3]!, fit: windowFit(flat, asOf) };
    const a = attainment(count, f, forecastLine(count, f, asOf)!, asOf);
    expect(a.low).toBe(59);
    expect(a.high!).toBeGreaterThan(59);
    expect(a.probability!).toBeLessThan(0.01);
  });
});

describe('calibration on simulated series', () => {
  // A level indicator whose truth is a straight line with Gaussian noise of known σ: 12 monthly
  // reports, the deadline 120 days after the latest. The target varies from series to series
  // around the true value at the deadline, so the chances spread over the whole range.
  const SERIES = 1000;
  const SIGMA = 5;
  const asOf = Date.UTC(2024, 0, 1);
  const deadline = asOf + 120 * DAY;
  const random = seededRandom(20_240_101);
  const normal = gaussian(random);
  const truth = (at: number) => 200 + (0.5 * (at - asOf)) / DAY;
  const runs = Array.from({ length: SERIES }, () => {
    const points = Array.from({ length: 12 }, (_, i) => {
      const at = asOf - (11 - i) * 15 * DAY;
      return { at, value: truth(at) + SIGMA * normal() };
    });
    const targetValue = truth(deadline) + (random() * 2 - 1) * 25;
    const spec: TargetSpec = {
      indicatorKind: 'level',
      updateIntervalSeconds: 30 * 86_400,
      baselineValue: 0,
      baselineAt: asOf - 400 * DAY,
      targetValue,
      deadline,
      direction: 'at_least',
      tolerance: null,
      milestones: [],
    };
    const facts = {
      latest: points[points.length - 1]!,
      fit: windowFit(points, asOf),
      achievedAt: null,
      achievedLateAt: null,
      coverage: 1,
    };
    const e = evaluateTarget(spec, facts, asOf);
    const realised = truth(deadline) + SIGMA * normal();
    return { e, realised, met: realised >= targetValue };
  });

  it('covers the realised deadline value with the 80% band in 80% ± 5% of 1,000 series', () => {
    const covered = runs.filter((r) => r.e.projectedLow! <= r.realised && r.realised <= r.e.projectedHigh!).length;
    expect(covered / SERIES).toBeGreaterThanOrEqual(0.75);
    expect(covered / SERIES).toBeLessThanOrEqual(0.85);
  });

  it('predicts, on average, the share of targets met, and within each band of chances', () => {
    const mean = runs.reduce((s, r) => s + r.e.attainmentProbability!, 0) / SERIES;
    const share = runs.filter((r) => r.met).length / SERIES;
    expect(Math.abs(mean - share)).toBeLessThan(0.03);
    for (const [lo, hi] of [
      [0, 0.2],
      [0.2, 0.4],
      [0.4, 0.6],
      [0.6, 0.8],
      [0.8, 1.01],
    ] as const) {
      const bin = runs.filter((r) => r.e.attainmentProbability! >= lo && r.e.attainmentProbability! < hi);
      expect(bin.length, `series with a chance in [${lo}, ${hi})`).toBeGreaterThan(50);
      const predicted = bin.reduce((s, r) => s + r.e.attainmentProbability!, 0) / bin.length;
      const realised = bin.filter((r) => r.met).length / bin.length;
      expect(Math.abs(predicted - realised), `chance in [${lo}, ${hi})`).toBeLessThan(0.1);
    }
  });
});
