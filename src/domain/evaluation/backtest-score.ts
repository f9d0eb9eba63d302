import type { TargetStatus } from './target-evaluation.js';

/**
 * "Were the warnings right?": how the evaluation, replayed as known at each step, compares with what
 * happened. Pure functions over the results of each step and the decided outcome of each target.
 *
 * - A target is scored when its outcome is decided (achieved or missed, evaluated after its deadline).
 * - A step counts for a target when it is before the target's deadline and at or after its directive's
 *   issue date (the start of that day).
 * - Each counted step's status points at an outcome: `on_track` and `achieved` at achieved, `at_risk` and
 *   `off_track` at missed; `no_data` points at nothing, is left out of the accuracy and counted apart.
 *   Accuracy is the share of the steps pointing at an outcome that pointed at the real one.
 * - Lead time, for a missed target: from the earliest counted step from which every later counted step
 *   was `at_risk` or `off_track` (a warning that turned and stayed) to the deadline, in days; null when
 *   the last counted step gave no warning.
 * - Forecast error: the absolute percentage error |projected − actual| / |actual| of each counted step with
 *   a projection, against the actual value at the deadline (steps of targets with no value by the deadline,
 *   or a value of 0, are left out); its mean (MAPE) overall and by horizon, the days from the step to the
 *   deadline, in the bands of {@link BACKTEST_HORIZONS}.
 * - Calibration of the chance to meet: the Brier score, the mean of (p − o)² over the counted steps with a
 *   probability p (o is 1 when the target was achieved, else 0), and a reliability table in bins of
 *   {@link RELIABILITY_BIN_WIDTH} (the last bin includes 1): per bin the steps, the mean p and the share achieved.
 */

/** A decided outcome. */
export type BacktestOutcome = 'achieved' | 'missed';

/** Horizon bands of the forecast error, in days before the deadline: [from, to), `to` null for no end. */
export const BACKTEST_HORIZONS: readonly { fromDays: number; toDays: number | null }[] = [
  { fromDays: 0, toDays: 90 },
  { fromDays: 90, toDays: 180 },
  { fromDays: 180, toDays: 365 },
  { fromDays: 365, toDays: null },
];

/** Width of the reliability table's bins of the chance to meet. */
export const RELIABILITY_BIN_WIDTH = 0.1;

const DAY_MS = 86_400_000;

/** What one step's evaluation said of a target. */
export interface BacktestStepResult {
  /** The step instant (epoch ms): the evaluation as of then, as known then. */
  at: number;
  status: TargetStatus;
  projected: number | null;
  attainmentProbability: number | null;
}

/** One decided target and what each step said of it. Instants in epoch ms. */
export interface BacktestTargetInput {
  id: string;
  deadline: number;
  /** The start of the directive's issue date: steps before it do not count. */
  issuedAt: number;
  outcome: BacktestOutcome;
  /** The last value at or before the deadline (null: none). */
  actualAtDeadline: number | null;
  steps: readonly BacktestStepResult[];
}

/** Steps that pointed at an outcome, and how many of them pointed at the real one. */
export interface Accuracy {
  /** Counted steps (before the deadline, from the issue date). */
  steps: number;
  /** Counted steps with status no_data: pointing at nothing. */
  noData: number;
  /** Counted steps pointing at an outcome. */
  judged: number;
  correct: number;
  /** correct / judged; null when nothing was judged. */
  accuracy: number | null;
}

export interface TargetScore extends Accuracy {
  id: string;
  deadline: number;
  outcome: BacktestOutcome;
  actualAtDeadline: number | null;
  /** Missed targets: the step from which the warning stayed; null when none did (and for achieved ones). */
  warnedFrom: number | null;
  /** Days from `warnedFrom` to the deadline. */
  leadDays: number | null;
  /** Mean absolute percentage error of the projections; null without any. */
  mape: number | null;
  /** Brier score of the chance to meet; null without any. */
  brier: number | null;
}

export interface HorizonError {
  fromDays: number;
  toDays: number | null;
  steps: number;
  mape: number | null;
}

export interface ReliabilityBin {
  /** The bin's chances: [from, to), the last one [from, 1]. */
  from: number;
  to: number;
  steps: number;
  meanPredicted: number | null;
  /** The share of the bin's steps whose target was achieved. */
  observedRate: number | null;
}

export interface BacktestScore {
  targets: TargetScore[];
  overall: Accuracy & {
    targets: number;
    achieved: number;
    missed: number;
    /** Missed targets with a warning that stayed until the deadline. */
    warned: number;
    leadDays: { mean: number; median: number; min: number; max: number } | null;
    mape: number | null;
    /** Steps behind `mape`. */
    errorSteps: number;
    horizons: HorizonError[];
    brier: number | null;
    /** Steps behind `brier`. */
    probabilitySteps: number;
    reliability: ReliabilityBin[];
  };
}

/** Whether a step at `at` counts for a target: before its deadline, from its directive's issue date. */
export function stepCounts(target: Pick<BacktestTargetInput, 'deadline' | 'issuedAt'>, at: number): boolean {
  return at < target.deadline && at >= target.issuedAt;
}

/** The outcome a status points at; null for no_data (and missed, which no step before the deadline gives). */
export function pointedOutcome(status: TargetStatus): BacktestOutcome | null {
  if (status === 'on_track' || status === 'achieved') return 'achieved';
  if (status === 'at_risk' || status === 'off_track') return 'missed';
  return null;
}

const isWarning = (status: TargetStatus) => status === 'at_risk' || status === 'off_track';
const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function horizonOf(days: number): number {
  return BACKTEST_HORIZONS.findIndex((h) => days >= h.fromDays && (h.toDays === null || days < h.toDays));
}

const binCount = Math.round(1 / RELIABILITY_BIN_WIDTH);
const binOf = (p: number) => Math.min(binCount - 1, Math.max(0, Math.floor(p * binCount)));

/** Scores the replayed evaluations of decided targets (see the module's definitions). */
export function scoreBacktest(inputs: readonly BacktestTargetInput[]): BacktestScore {
  const errorsByHorizon: number[][] = BACKTEST_HORIZONS.map(() => []);
  const allErrors: number[] = [];
  const squared: number[] = [];
  const bins = Array.from({ length: binCount }, () => ({ p: [] as number[], achieved: 0 }));
  const leads: number[] = [];
  const targets = inputs.map((input): TargetScore => {
    const steps = input.steps.filter((s) => stepCounts(input, s.at)).sort((a, b) => a.at - b.at);
    const o = input.outcome === 'achieved' ? 1 : 0;
    let judged = 0;
    let correct = 0;
    const errors: number[] = [];
    const briers: number[] = [];
    for (const step of steps) {
      const pointed = pointedOutcome(step.status);
      if (pointed) {
        judged++;
        if (pointed === input.outcome) correct++;
      }
      const actual = input.actualAtDeadline;
      if (step.projected !== null && actual !== null && actual !== 0) {
        const error = Math.abs(step.projected - actual) / Math.abs(actual);
        errors.push(error);
        allErrors.push(error);
        errorsByHorizon[horizonOf((input.deadline - step.at) / DAY_MS)]!.push(error);
      }
      const p = step.attainmentProbability;
      if (p !== null) {
        briers.push((p - o) ** 2);
        squared.push((p - o) ** 2);
        const bin = bins[binOf(p)]!;
        bin.p.push(p);
        bin.achieved += o;
      }
    }
    let warnedFrom: number | null = null;
    if (input.outcome === 'missed') {
      for (let i = steps.length - 1; i >= 0 && isWarning(steps[i]!.status); i--) warnedFrom = steps[i]!.at;
    }
    const leadDays = warnedFrom === null ? null : Math.round((input.deadline - warnedFrom) / DAY_MS);
    if (leadDays !== null) leads.push(leadDays);
    return {
      id: input.id,
      deadline: input.deadline,
      outcome: input.outcome,
      actualAtDeadline: input.actualAtDeadline,
      steps: steps.length,
      noData: steps.filter((s) => s.status === 'no_data').length,
      judged,
      correct,
      accuracy: judged === 0 ? null : correct / judged,
      warnedFrom,
      leadDays,
      mape: mean(errors),
      brier: mean(briers),
    };
  });
  const sum = (f: (t: TargetScore) => number) => targets.reduce((a, t) => a + f(t), 0);
  const judged = sum((t) => t.judged);
  const correct = sum((t) => t.correct);
  const sortedLeads = [...leads].sort((a, b) => a - b);
  const mid = sortedLeads.length / 2;
  return {
    targets,
    overall: {
      targets: targets.length,
      achieved: targets.filter((t) => t.outcome === 'achieved').length,
      missed: targets.filter((t) => t.outcome === 'missed').length,
      steps: sum((t) => t.steps),
      noData: sum((t) => t.noData),
      judged,
      correct,
      accuracy: judged === 0 ? null : correct / judged,
      warned: leads.length,
      leadDays:
        sortedLeads.length === 0
          ? null
          : {
              mean: mean(sortedLeads)!,
              median:
                sortedLeads.length % 2 === 1
                  ? sortedLeads[Math.floor(mid)]!
                  : (sortedLeads[mid - 1]! + sortedLeads[mid]!) / 2,
              min: sortedLeads[0]!,
              max: sortedLeads[sortedLeads.length - 1]!,
            },
      mape: mean(allErrors),
      errorSteps: allErrors.length,
      horizons: BACKTEST_HORIZONS.map((h, i) => ({
        ...h,
        steps: errorsByHorizon[i]!.length,
        mape: mean(errorsByHorizon[i]!),
      })),
      brier: mean(squared),
      probabilitySteps: squared.length,
      reliability: bins.map((bin, i) => ({
        from: i / binCount,
        to: (i + 1) / binCount,
        steps: bin.p.length,
        meanPredicted: mean(bin.p),
        observedRate: bin.p.length === 0 ? null : bin.achieved / bin.p.length,
      })),
    },
  };
}
