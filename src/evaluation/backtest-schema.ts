import { z } from 'zod';
import type { BacktestReport } from './backtest-service.js';
import { calendarDay } from './as-of.js';

/**
 * The backtest's contract: `GET /v1/backtest` and `pacer backtest --json` print the same document,
 * described by these schemas. Ratios are rounded to 6 decimals: the figures are read and compared,
 * and floating-point noise in the last digits would only make two runs look different.
 */

const day = z.string().describe('Calendar date YYYY-MM-DD in the directive time zone.');
const ratio = z.number().nullable();

export const backtestQuerySchema = z.object({
  from: z.string().max(10).optional().describe("First step, YYYY-MM-DD; default the directive's issue date."),
  to: z.string().max(10).optional().describe('Last step at most, YYYY-MM-DD; default today.'),
  every: z.string().max(8).optional().describe('Step length: 1mo, 3mo, 2w, 7d, ...; default 1mo.'),
});
export type BacktestQuery = z.output<typeof backtestQuerySchema>;

const accuracyFields = {
  steps: z.number().int().describe('Steps counted: before the deadline, from the issue date.'),
  no_data_steps: z.number().int().describe('Counted steps with status no_data (left out of the accuracy).'),
  judged_steps: z.number().int().describe('Counted steps whose status pointed at an outcome.'),
  correct_steps: z.number().int().describe('Of those, steps that pointed at the real outcome.'),
  accuracy: ratio.describe('correct_steps / judged_steps; null when none was judged.'),
};

export const backtestTargetSchema = z.object({
  target: z.string(),
  title: z.string(),
  directive: z.string(),
  due: day,
  outcome: z.enum(['achieved', 'missed']),
  value_at_deadline: z.number().nullable().describe('The actual value at the deadline (null: none by then).'),
  ...accuracyFields,
  warned_from: day.nullable().describe('Missed targets: the step from which the status stayed at_risk or off_track.'),
  lead_days: z.number().int().nullable().describe('Days from warned_from to the deadline.'),
  mape: ratio.describe('Mean absolute percentage error of the projections against value_at_deadline.'),
  brier: ratio.describe('Brier score of attainment_probability.'),
});

export const backtestSchema = z.object({
  timezone: z.string(),
  from: day,
  to: day,
  every: z.string(),
  steps: z.array(day).describe('Every step date: each is the evaluation as of the end of that day, as known then.'),
  evaluated_steps: z.number().int().describe('Steps at which some decided target was evaluated.'),
  outcome_at: z.string().describe('UTC instant the outcomes were decided at (the evaluation knowing everything).'),
  undecided_targets: z.number().int().describe('Targets left out: not achieved or missed yet.'),
  overall: z.object({
    targets: z.number().int(),
    achieved: z.number().int(),
    missed: z.number().int(),
    ...accuracyFields,
    warned: z.number().int().describe('Missed targets with a warning that stayed until the deadline.'),
    lead_days: z
      .object({ mean: z.number(), median: z.number(), min: z.number(), max: z.number() })
      .nullable()
      .describe('Lead time of the warned missed targets, in days.'),
    mape: ratio,
    error_steps: z.number().int().describe('Steps behind mape.'),
    horizons: z
      .array(
        z.object({
          from_days: z.number().int(),
          to_days: z.number().int().nullable(),
          steps: z.number().int(),
          mape: ratio,
        }),
      )
      .describe('MAPE by days from the step to the deadline: [from_days, to_days).'),
    brier: ratio,
    probability_steps: z.number().int().describe('Steps behind brier.'),
    reliability: z
      .array(
        z.object({
          from: z.number(),
          to: z.number(),
          steps: z.number().int(),
          mean_predicted: ratio,
          observed_rate: ratio.describe('Share of the bin steps whose target was achieved.'),
        }),
      )
      .describe('attainment_probability in bins of 0.1 (the last includes 1).'),
  }),
  targets: z.array(backtestTargetSchema),
});
export type BacktestDocument = z.output<typeof backtestSchema>;

const round = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);

/** The report as the API and `pacer backtest --json` give it. */
export function backtestDocument(report: BacktestReport): BacktestDocument {
  const { score, timezone } = report;
  const o = score.overall;
  const accuracy = (a: {
    steps: number;
    noData: number;
    judged: number;
    correct: number;
    accuracy: number | null;
  }) => ({
    steps: a.steps,
    no_data_steps: a.noData,
    judged_steps: a.judged,
    correct_steps: a.correct,
    accuracy: round(a.accuracy),
  });
  return {
    timezone,
    from: report.from,
    to: report.to,
    every: report.every,
    steps: report.steps.map((s) => calendarDay(s.getTime(), timezone)!),
    evaluated_steps: report.evaluatedSteps,
    outcome_at: report.outcomeAt.toISOString(),
    undecided_targets: report.undecided,
    overall: {
      targets: o.targets,
      achieved: o.achieved,
      missed: o.missed,
      ...accuracy(o),
      warned: o.warned,
      lead_days: o.leadDays && {
        mean: round(o.leadDays.mean)!,
        median: o.leadDays.median,
        min: o.leadDays.min,
        max: o.leadDays.max,
      },
      mape: round(o.mape),
      error_steps: o.errorSteps,
      horizons: o.horizons.map((h) => ({
        from_days: h.fromDays,
        to_days: h.toDays,
        steps: h.steps,
        mape: round(h.mape),
      })),
      brier: round(o.brier),
      probability_steps: o.probabilitySteps,
      reliability: o.reliability.map((b) => ({
        from: round(b.from)!,
        to: round(b.to)!,
        steps: b.steps,
        mean_predicted: round(b.meanPredicted),
        observed_rate: round(b.observedRate),
      })),
    },
    targets: score.targets.map((t, i) => {
      const about = report.targets[i]!;
      return {
        target: t.id,
        title: about.title,
        directive: about.directive,
        due: about.dueDate,
        outcome: t.outcome,
        value_at_deadline: t.actualAtDeadline,
        ...accuracy(t),
        warned_from: calendarDay(t.warnedFrom, timezone),
        lead_days: t.leadDays,
        mape: round(t.mape),
        brier: round(t.brier),
      };
    }),
  };
}
