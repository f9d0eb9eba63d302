import { describe, expect, it } from 'vitest';
import {
  scoreBacktest,
  stepCounts,
  type BacktestStepResult,
  type BacktestTargetInput,
} from '../../src/domain/evaluation/backtest-score.js';
import { backtestSteps, parseStepInterval } from '../../src/domain/evaluation/backtest-steps.js';
import type { TargetStatus } from '../../src/domain/evaluation/target-evaluation.js';

const DAY = 86_400_000;
const step = (day: number, status: TargetStatus, projected: number | null, p: number | null): BacktestStepResult => ({
  at: day * DAY,
  status,
  projected,
  attainmentProbability: p,
});

/**
 * Missed, deadline day 100, directive issued day 10, 80 at the deadline. Counted: days 20 to 80 (day 0 is before
 * the issue, day 100 is the deadline itself).
 * - statuses on_track (wrong), no_data, off_track (right), on_track (wrong), at_risk (right), off_track (right):
 *   3 right of 5 judged, 1 no_data;
 * - the warning that stayed starts on day 70 (day 60 was on_track): 30 days before the deadline;
 * - errors |120−80|/80 = 0.5, 10/80 = 0.125, 30/80 = 0.375, 15/80 = 0.1875, 5/80 = 0.0625: MAPE 1.25 / 5 = 0.25,
 *   all under 90 days ahead;
 * - Brier (o = 0): 0.64 + 0.09 + 0.36 + 0.04 + 0.01 = 1.14, / 5 = 0.228.
 */
const missed: BacktestTargetInput = {
  id: 'missed',
  deadline: 100 * DAY,
  issuedAt: 10 * DAY,
  outcome: 'missed',
  actualAtDeadline: 80,
  steps: [
    step(0, 'off_track', 1000, 0),
    step(20, 'on_track', 120, 0.8),
    step(40, 'no_data', null, null),
    step(50, 'off_track', 90, 0.3),
    step(60, 'on_track', 110, 0.6),
    step(70, 'at_risk', 95, 0.2),
    step(80, 'off_track', 85, 0.1),
    step(100, 'off_track', 80, 0),
  ],
};

/**
 * Achieved, deadline day 400, issued day 0, 200 at the deadline.
 * - on_track, at_risk (wrong), on_track, achieved: 3 of 4;
 * - errors 50/200 = 0.25 (400 days ahead), 20/200 = 0.1 (300), 20/200 = 0.1 (150), 0 (100): MAPE 0.45 / 4 = 0.1125;
 * - Brier (o = 1): 0.01 + 0.25 + 0.09 + 0 = 0.35, / 4 = 0.0875.
 */
const achieved: BacktestTargetInput = {
  id: 'achieved',
  deadline: 400 * DAY,
  issuedAt: 0,
  outcome: 'achieved',
  actualAtDeadline: 200,
  steps: [
    step(300, 'achieved', 200, 1),
    step(0, 'on_track', 150, 0.9),
    step(100, 'at_risk', 180, 0.5),
    step(250, 'on_track', 220, 0.7),
  ],
};

/** Missed with no value by the deadline: one no_data step, nothing judged, no error, no chance. */
const silent: BacktestTargetInput = {
  id: 'silent',
  deadline: 30 * DAY,
  issuedAt: 0,
  outcome: 'missed',
  actualAtDeadline: null,
  steps: [step(10, 'no_data', null, null)],
};

describe('backtest scoring', () => {
  const score = scoreBacktest([missed, achieved, silent]);

  it('scores each target: accuracy without no_data steps, lead time of the warning that stayed, MAPE, Brier', () => {
    const [m, a, s] = score.targets;
    expect(m).toMatchObject({ steps: 6, noData: 1, judged: 5, correct: 3, accuracy: 0.6 });
    expect(m).toMatchObject({ warnedFrom: 70 * DAY, leadDays: 30 });
    expect(m!.mape).toBeCloseTo(0.25, 12);
    expect(m!.brier).toBeCloseTo(0.228, 12);
    expect(a).toMatchObject({ steps: 4, noData: 0, judged: 4, correct: 3, accuracy: 0.75 });
    expect(a).toMatchObject({ warnedFrom: null, leadDays: null });
    expect(a!.mape).toBeCloseTo(0.1125, 12);
    expect(a!.brier).toBeCloseTo(0.0875, 12);
    expect(s).toEqual({
      id: 'silent',
      deadline: 30 * DAY,
      outcome: 'missed',
      actualAtDeadline: null,
      steps: 1,
      noData: 1,
      judged: 0,
      correct: 0,
      accuracy: null,
      warnedFrom: null,
      leadDays: null,
      mape: null,
      brier: null,
    });
  });

  it('pools every counted step overall: accuracy 6 of 9, one missed target warned 30 days ahead', () => {
    const o = score.overall;
    expect(o).toMatchObject({ targets: 3, achieved: 1, missed: 2, steps: 11, noData: 2, judged: 9, correct: 6 });
    expect(o.accuracy).toBeCloseTo(2 / 3, 12);
    expect(o.warned).toBe(1);
    expect(o.leadDays).toEqual({ mean: 30, median: 30, min: 30, max: 30 });
  });

  it('gives the forecast error overall and by horizon: 0-90, 90-180, 180-365 and 365+ days ahead', () => {
    const o = score.overall;
    expect(o.errorSteps).toBe(9);
    expect(o.mape).toBeCloseTo(1.7 / 9, 12);
    expect(o.horizons.map((h) => [h.fromDays, h.toDays, h.steps])).toEqual([
      [0, 90, 5],
      [90, 180, 2],
      [180, 365, 1],
      [365, null, 1],
    ]);
    const mapes = o.horizons.map((h) => h.mape!);
    [0.25, 0.05, 0.1, 0.25].forEach((want, i) => expect(mapes[i]).toBeCloseTo(want, 12));
  });

  it('gives the Brier score and a reliability table in bins of 0.1, the last one taking in a chance of 1', () => {
    const o = score.overall;
    expect(o.probabilitySteps).toBe(9);
    expect(o.brier).toBeCloseTo(1.49 / 9, 12);
    const bins = o.reliability.map((b) => [b.steps, b.meanPredicted, b.observedRate]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual([0, null, null]);
    expect(bins[1]).toEqual([1, 0.1, 0]);
    expect(bins[2]).toEqual([1, 0.2, 0]);
    expect(bins[3]).toEqual([1, 0.3, 0]);
    expect(bins[4]).toEqual([0, null, null]);
    expect(bins[5]).toEqual([1, 0.5, 1]);
    expect(bins[6]).toEqual([1, 0.6, 0]);
    expect(bins[7]).toEqual([1, 0.7, 1]);
    expect(bins[8]).toEqual([1, 0.8, 0]);
    expect(bins[9]![0]).toBe(2);
    expect(bins[9]![1]).toBeCloseTo(0.95, 12);
    expect(bins[9]![2]).toBe(1);
  });

  it('counts a step from the start of the issue date and strictly before the deadline', () => {
    const t = { deadline: 100, issuedAt: 10 };
    expect([9, 10, 99, 100].map((at) => stepCounts(t, at))).toEqual([false, true, true, false]);
  });

  it('gives no lead time to a missed target whose last step was no warning, and the median of an even count', () => {
    const late = (id: string, days: number[]): BacktestTargetInput => ({
      id,
      deadline: 100 * DAY,
      issuedAt: 0,
      outcome: 'missed',
      actualAtDeadline: 1,
      steps: days.map((d) => step(d, 'off_track', 1, null)),
    });
    const calm: BacktestTargetInput = {
      ...late('calm', []),
      steps: [step(50, 'off_track', 1, null), step(90, 'on_track', 1, null)],
    };
    const o = scoreBacktest([late('a', [90]), late('b', [60, 90]), calm]).overall;
    expect(o.warned).toBe(2);
    expect(o.leadDays).toEqual({ mean: 25, median: 25, min: 10, max: 40 });
  });
});

describe('backtest steps', () => {
  it('reads 1mo, 3mo, 2w and 7d, and refuses anything else', () => {
    expect(['1mo', '3mo', '2w', '7d'].map(parseStepInterval)).toEqual([
      { months: 1 },
      { months: 3 },
      { days: 14 },
      { days: 7 },
    ]);
    expect(['0mo', '1m', 'mo', '1y', '-1d', ''].map(parseStepInterval)).toEqual(Array(6).fill(undefined));
  });

  it('steps a month from the first date, each clamped to its month: 31 Jan, 28 Feb, 31 Mar, 30 Apr', () => {
    const { steps, truncated } = backtestSteps(
      { year: 2023, month: 1, day: 31 },
      { year: 2023, month: 4, day: 30 },
      { months: 1 },
      'Asia/Bangkok',
      100,
    );
    expect(truncated).toBe(false);
    // The end of each day in Bangkok (UTC+7): 16:59:59.999 UTC.
    expect(steps.map((s) => s.toISOString())).toEqual([
      '2023-01-31T16:59:59.999Z',
      '2023-02-28T16:59:59.999Z',
      '2023-03-31T16:59:59.999Z',
      '2023-04-30T16:59:59.999Z',
    ]);
  });

  it('stops at the limit and says more would follow', () => {
    const from = { year: 2023, month: 1, day: 1 };
    const to = { year: 2023, month: 1, day: 31 };
    const { steps, truncated } = backtestSteps(from, to, { days: 7 }, 'UTC', 3);
    expect(steps.map((s) => s.toISOString().slice(0, 10))).toEqual(['2023-01-01', '2023-01-08', '2023-01-15']);
    expect(truncated).toBe(true);
    expect(backtestSteps(from, to, { days: 7 }, 'UTC', 5).truncated).toBe(false);
  });
});
