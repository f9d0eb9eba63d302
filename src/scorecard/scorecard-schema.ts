import { z } from 'zod';
import { languages } from '../conventions.js';
import { targetReasons, targetStatuses } from '../domain/evaluation/target-evaluation.js';

/**
 * The scorecard's HTTP contract: `GET /v1/targets` and `GET /v1/targets/{id}`, as zod schemas.
 * The handlers validate requests with them (`pacer status --url` leaves its options to them), the
 * types below are derived from them, and `scorecard-routes.ts` declares the routes (and their
 * OpenAPI operations) with them.
 */

const instant = z.string().describe('UTC instant, ISO 8601.');
const day = z.string().describe('Calendar date YYYY-MM-DD in the directive time zone.');

export const targetStatusSchema = z.enum(targetStatuses);

/** A query parameter that may be repeated (`?status=a&status=b`) or comma-separated (`?status=a,b`). */
function listParam<T extends z.ZodType<string, string>>(item: T, split: boolean) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => (split ? s.split(',') : [s]))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
}

const atParam = z
  .string()
  .max(64)
  .optional()
  .describe(
    'Evaluate as of this date (valid time: the values dated up to it): YYYY-MM-DD means the end of that day in the ' +
      'directive time zone (as `pacer evaluate --at`); an ISO date-time is that instant. Default: now.',
  );

const knownAtParam = z
  .string()
  .max(64)
  .optional()
  .describe(
    'Evaluate with only what Pacer had recorded by this instant, each value as it stood then (transaction time: a ' +
      'value recorded later is left out, one corrected later has its old value), as `pacer evaluate --known-at`. ' +
      'Read like `at`; today means now, a later date or instant is a 400. May be before `at`; `known_at` = `at` is ' +
      'the view "as known then". Default: now, with every later correction.',
  );

/**
 * The language of the text written for people (`explanation`, `title`, `owner`, `source`): `en` (the default)
 * or `vi`. Codes, numbers and instants are the same in every language.
 */
export const langParam = z
  .enum(languages)
  .optional()
  .describe('Language of the text for people (explanation, title, owner, source): en (default) or vi.');

export const targetListQuerySchema = z.object({
  at: atParam,
  known_at: knownAtParam,
  lang: langParam,
  status: listParam(targetStatusSchema, true)
    .optional()
    .describe(`Only these statuses, comma-separated or repeated: ${targetStatuses.join(', ')}.`),
  owner: listParam(z.string().max(300), false)
    .optional()
    .describe('Only targets of these owners (exact names; repeat the parameter for several).'),
  directive: listParam(z.string().max(100), true).optional().describe('Only targets of these directives (ids).'),
});
export type TargetListQuery = z.output<typeof targetListQuerySchema>;

/** The directive page's query: the list's, and which page of rows (the API's list is never cut). */
export const directivePageQuerySchema = targetListQuerySchema.extend({
  page: z.coerce.number().int().min(1).max(100_000).optional().describe('Page of rows, worst first (1 by default).'),
});
export type DirectivePageQuery = z.output<typeof directivePageQuerySchema>;

export const targetParamsSchema = z.object({
  id: z.string().min(1).max(200).describe('Target id from the catalog, e.g. vneid-accounts-40m.'),
});
export const targetQuerySchema = z.object({ at: atParam, known_at: knownAtParam, lang: langParam });

/**
 * One evaluated target: the fields of `pacer evaluate --json`, plus what a reader needs to show
 * them (indicator name, unit and kind, when it was achieved).
 */
export const targetSummarySchema = z.object({
  target: z.string().describe('Target id.'),
  title: z.string(),
  directive: z.string(),
  owner: z.string(),
  indicator: z.string(),
  indicator_name: z.string(),
  unit: z.string(),
  kind: z
    .enum(['cumulative', 'level', 'ratio', 'milestone'])
    .describe('The indicator kind; milestone targets are dated tasks (0 not done, 1 done).'),
  region: z.string().describe('Region code.'),
  status: targetStatusSchema,
  reason: z
    .enum(targetReasons)
    .describe(
      'Why the target has its status: target_met, deadline_passed, no_report, incomplete_coverage, stale, ' +
        'task_open, task_due_soon, milestone_missed, forecast_meets or forecast_short.',
    ),
  explanation: z.string().describe('The reason in one sentence, with the numbers, in the language asked for.'),
  achieved_late: z.boolean().describe('Missed, but the target value was met after the deadline.'),
  achieved_at: instant.nullable(),
  baseline: z.number(),
  baseline_at: instant,
  target_value: z.number(),
  direction: z.enum(['at_least', 'at_most']),
  due: day,
  deadline: instant.describe('The end of the due day in the directive time zone.'),
  current: z.number().nullable(),
  current_observed_at: instant.nullable(),
  current_observed_on: day.nullable().describe('The calendar date of current_observed_at: the day the value is for.'),
  current_source: z
    .enum(['direct', 'children', 'predecessors'])
    .nullable()
    .describe('Observed in the region itself, or rolled up from its parts or from the units merged into it.'),
  coverage: z.number().nullable().describe('Share of the parts that reported (1 for a direct value).'),
  partial: z
    .boolean()
    .describe("The value judged is a rollup of fewer parts than the target's minimum coverage (status no_data)."),
  expected: z.number().describe('Expected value at the evaluation instant (the pace line).'),
  progress: z.number().nullable().describe('(current − baseline) / (target − baseline).'),
  expected_progress: z.number(),
  projected: z
    .number()
    .nullable()
    .describe('Forecast value at the deadline; once the deadline has passed, the actual value at the deadline.'),
  value_at_deadline: z
    .number()
    .nullable()
    .describe('Once the deadline has passed: the last value at or before it (null before, or if none).'),
  attainment_probability: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe(
      'The chance (0..1) that the value at the deadline meets the target, from the prediction interval of the ' +
        'least-squares fit over the forecast window (Student t); 1 once achieved, 0 once missed; null for tasks, ' +
        'no_data and fewer than 3 points in the window.',
    ),
  projected_low: z
    .number()
    .nullable()
    .describe('Low end of the 80% prediction band of the value at the deadline (the actual value once passed).'),
  projected_high: z
    .number()
    .nullable()
    .describe('High end of the 80% prediction band of the value at the deadline (the actual value once passed).'),
  projected_completion: day
    .nullable()
    .describe(
      'When the forecast reaches the target value: only for a target not met, with a pace toward it, after the ' +
        'as-of date; else null (people read "—": not at this pace).',
    ),
});
export type TargetSummary = z.infer<typeof targetSummarySchema>;

const directiveSchema = z.object({
  id: z.string(),
  title: z.string(),
  issuer: z.string(),
  issued: day,
  timezone: z.string(),
  url: z.string().nullable(),
});

const knownAtField = instant
  .nullable()
  .describe('The values as Pacer had recorded them at this instant; null: everything recorded, with every correction.');

export const targetListSchema = z.object({
  as_of: instant.describe('The instant the evaluation answers for.'),
  known_at: knownAtField,
  as_of_day: day.describe('The calendar date that instant closes: `?at=2023-06-30` is 2023-06-30.'),
  lang: z.enum(languages).describe('The language of the text for people.'),
  timezone: z.string().describe('Time zone of the calendar dates.'),
  directives: z.array(directiveSchema),
  owners: z.array(z.string()).describe('Every owner, for filtering.'),
  counts: z.record(targetStatusSchema, z.number().int()).describe('Targets per status, before filtering.'),
  total: z.number().int().describe('Targets before filtering.'),
  targets: z
    .array(targetSummarySchema)
    .describe(
      'Worst first: missed, off_track, at_risk, no_data, on_track, achieved; then furthest behind the expected ' +
        'pace, then nearest deadline.',
    ),
});
export type TargetList = z.infer<typeof targetListSchema>;

/** The most observations a target's detail lists (the newest); a chart of more says nothing more. */
export const maxSeriesPoints = 5_000;

const pointSchema = z.object({ at: instant, value: z.number() });

export const targetDetailSchema = z.object({
  as_of: instant,
  known_at: knownAtField,
  as_of_day: day.describe('The calendar date that instant closes.'),
  lang: z.enum(languages).describe('The language of the text for people.'),
  timezone: z.string(),
  directive: directiveSchema,
  target: targetSummarySchema.extend({
    region_name: z.string(),
    source: z.string().describe('Where in the directive the target is set.'),
    tolerance: z.number().describe('At-risk band as a fraction of |target − baseline|.'),
    update_interval_seconds: z.number().int(),
    milestones: z.array(z.object({ due: day, deadline: instant, value: z.number() })),
    note: z.string().nullable(),
  }),
  observations: z
    .array(
      z.object({
        observed_at: instant,
        observed_on: day.describe('The calendar date of observed_at: the day the value is for.'),
        value: z.number(),
        note: z.string().nullable(),
        batch_id: z.number().int().nullable(),
        recorded_at: instant,
        revisions: z
          .array(z.object({ old_value: z.number(), new_value: z.number(), revised_at: instant }))
          .describe('Earlier values of this observation, oldest first.'),
        warning: z
          .object({ code: z.enum(['decrease', 'jump']), message: z.string() })
          .optional()
          .describe('The data-quality flag raised when the value was pushed (see the push answer); absent when none.'),
      }),
    )
    .describe(
      "The target's own series (its indicator in its region, no dimensions), observed up to as_of, oldest first.",
    ),
  earlier_observations: z
    .number()
    .int()
    .describe(`Observations up to as_of before the first one listed (the list holds the newest ${maxSeriesPoints}).`),
  later_observations: z.number().int().describe('Observations dated after as_of (not used by this evaluation).'),
  pace: z.array(pointSchema).describe('The expected-pace line: baseline, milestones, target at the deadline.'),
  forecast: z
    .array(pointSchema)
    .describe(
      'The forecast line from the latest value to the deadline. Once the latest value is past the deadline, from ' +
        'it to projected_completion, or else to as_of (a missed target whose figures went on). Empty without a ' +
        'forecast.',
    ),
  events: z
    .array(
      z.object({
        at: instant.describe('The end of the day, in the directive time zone.'),
        day: day,
        written: z.string().describe('The date as the catalog writes it: a day, or a month (then `day` is its last).'),
        precision: z.enum(['day', 'month']),
        text: z.string(),
        source: z.string().nullable().describe('Where the fact is published.'),
      }),
    )
    .describe(
      "The directive catalog's events that concern the target (naming it, its indicator, or nothing), dated up " +
        'to as_of, oldest first.',
    ),
  status_history: z
    .array(
      z.object({ as_of: instant, from: targetStatusSchema.nullable(), to: targetStatusSchema, recorded_at: instant }),
    )
    .describe('Status changes of stored evaluations up to as_of, newest first.'),
  regions: z.object({
    parent: z.object({ code: z.string(), name: z.string() }),
    level: z.string().nullable().describe('Level of the parts, e.g. province.'),
    in_force_at: instant.describe(
      'The parts are the units in force at this instant: now, or as_of when later. Values of units merged since ' +
        'count toward their successor.',
    ),
    parts: z.number().int(),
    reporting: z.number().int(),
    items: z
      .array(
        z.object({
          code: z.string(),
          name: z.string(),
          value: z.number(),
          observed_at: instant,
          source: z.enum(['direct', 'children', 'predecessors']),
          coverage: z.number(),
        }),
      )
      .describe('Parts with a value, largest first.'),
    missing: z.array(z.object({ code: z.string(), name: z.string() })).describe('Parts without a value.'),
  }),
});
export type TargetDetail = z.infer<typeof targetDetailSchema>;

/** Named schemas for `components.schemas` of the OpenAPI document. */
export const scorecardComponents: Record<string, z.ZodType> = {
  TargetSummary: targetSummarySchema,
  TargetList: targetListSchema,
  TargetDetail: targetDetailSchema,
};
