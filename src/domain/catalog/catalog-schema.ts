import { z } from 'zod';
import { localizedText } from './catalog-text.js';
import { parseDueDate } from './due-date.js';
import { parseCalendarDate, isValidTimeZone } from '../time/zoned-time.js';

/**
 * The catalog's YAML documents. Every document has `apiVersion: pacer/v1` and one of four kinds:
 *
 * - `Directive`: a directive and the targets it sets (the usual file: one per directive);
 * - `TargetSet`: more targets for a directive declared elsewhere (e.g. per-province targets);
 * - `IndicatorSet`: indicators (what is measured, in what unit, how regions roll up);
 * - `RegionSet`: a country's administrative units, loaded from CSV files beside the YAML.
 *
 * A file may hold several documents separated by `---`. Types below are derived from the schemas.
 */

export const API_VERSION = 'pacer/v1';

const snakeId = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a snake_case id (a-z, 0-9, _)' })
  .max(100);
const slugId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, { message: 'expected an id of a-z, 0-9, -, _ and .' })
  .max(100);

/** YAML may hand us a number (`2023`) or a string; both are judged as text. */
const scalarText = z.union([z.string(), z.number()]).transform((v) => String(v));

const calendarDate = scalarText.superRefine((value, ctx) => {
  if (!parseCalendarDate(value))
    ctx.addIssue({ code: 'custom', message: `expected a date YYYY-MM-DD, got "${value}"` });
});

const dueDate = scalarText.superRefine((value, ctx) => {
  if (!parseDueDate(value)) ctx.addIssue({ code: 'custom', message: `expected a date or YYYY-MM, got "${value}"` });
});

const timeZone = z.string().refine(isValidTimeZone, { message: 'expected an IANA time zone such as Asia/Ho_Chi_Minh' });

/** An enum whose error names the allowed values and what it got. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `expected one of ${values.join(', ')}; got ${JSON.stringify(issue.input)}`,
  });
}

const finiteNumber = z
  .number({ message: 'expected a number' })
  .refine(Number.isFinite, { message: 'expected a finite number' });

/** `90d`, `12h`, `30m`, `2w`: how often an indicator is expected to get a new value. */
export const durationText = z
  .string()
  .regex(/^\d+(m|h|d|w)$/, { message: 'expected a duration such as 30m, 12h, 7d or 2w' });

export const indicatorKinds = ['cumulative', 'level', 'ratio', 'milestone'] as const;
export const rollups = ['sum', 'mean', 'min', 'max', 'none'] as const;
export const directions = ['at_least', 'at_most'] as const;
export const monotones = ['increasing', 'decreasing'] as const;

export const indicatorSchema = z.strictObject({
  id: snakeId,
  /** A string (English) or one per language, as the unit. */
  name: localizedText,
  description: z.string().optional(),
  unit: localizedText,
  /** cumulative: a running count; level: a quantity now; ratio: 0..1; milestone: 0 (not done) or 1 (done). */
  kind: oneOf(indicatorKinds),
  /** How child regions' values make a parent's; defaults by kind (see `defaultRollup`). */
  rollup: oneOf(rollups).optional(),
  /** Expected interval between new values; staleness is judged against it. */
  update_interval: durationText,
  /**
   * The one way the value can move, if any: a forecast never goes back past the latest value. Cumulative
   * indicators are `increasing` unless declared otherwise.
   */
  monotone: oneOf(monotones).optional(),
});

export const indicatorSetSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('IndicatorSet'),
  indicators: z.array(indicatorSchema).min(1),
});

export const baselineSchema = z.strictObject({
  value: finiteNumber,
  date: calendarDate,
  /** Where the figure comes from (a row of the published figures, an assumption, ...). */
  source: z.string().optional(),
});

export const milestoneSchema = z.strictObject({
  due: dueDate,
  value: finiteNumber,
  note: z.string().optional(),
});

export const targetSchema = z.strictObject({
  id: slugId,
  /** A string (English) or one per language: `{ en: ..., vi: ... }`. So are `owner` and `source`. */
  title: localizedText,
  indicator: snakeId,
  /** Region code; defaults to the directive's `region`. */
  region: z.string().min(1).optional(),
  /** The agency answerable for the target. */
  owner: localizedText,
  /** Where in the directive the target is set, e.g. "Section 3" (vi "Mục 3"). */
  source: localizedText,
  /** Defaults, for milestone indicators only, to 0 on the directive's issue date. */
  baseline: baselineSchema.optional(),
  /** The value to reach; defaults to 1 for milestone indicators. */
  target: finiteNumber.optional(),
  due: dueDate,
  direction: oneOf(directions).default('at_least'),
  /**
   * How far short of the target the projection may fall and still be `at_risk` rather than `off_track`, as a fraction
   * of |target − baseline|.
   */
  tolerance: z.number().min(0).max(1).optional(),
  /**
   * For a value rolled up from the region's parts: the least share of the parts that must have reported for it
   * to be judged. Below it the status is no_data. Defaults to 1 (every part).
   */
  min_coverage: z.number().gt(0).max(1).optional(),
  /**
   * The chance to meet the target (0..1) below which it is reported unlikely (the KpiTargetUnlikely alert).
   * Defaults to 0.2.
   */
  unlikely_below: z.number().min(0).max(1).optional(),
  milestones: z.array(milestoneSchema).optional(),
  note: z.string().optional(),
});

/**
 * Something that happened and explains a jump in the figures (a list that grew, a decree in force): drawn on the
 * target charts and exported to Grafana as annotations. Without `targets` or `indicator` it concerns every target
 * of the directive.
 */
export const catalogEventSchema = z
  .strictObject({
    /** A day (`2024-09-30`) or a month (`2024-09`, `September 2024`: its last day), like due dates. */
    date: dueDate,
    text: z.string().min(1).max(500),
    /** Only these targets of the directive. */
    targets: z.array(slugId).min(1).optional(),
    /** Only the directive's targets on this indicator. */
    indicator: snakeId.optional(),
    /** Where the fact is published (an address, a row of the figures). */
    source: z.string().min(1).optional(),
  })
  .refine((e) => !(e.targets && e.indicator), {
    message: 'give targets or indicator, not both',
    path: ['indicator'],
  });

export const directiveSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Directive'),
  id: slugId,
  /** A string (English) or one per language, as the issuer. */
  title: localizedText,
  issuer: localizedText,
  issued: calendarDate,
  /** Due dates, baselines and bare observation dates are read in this zone. */
  timezone: timeZone,
  url: z.string().optional(),
  description: z.string().optional(),
  /** Region for targets that name none. */
  region: z.string().min(1).optional(),
  targets: z.array(targetSchema).default([]),
  /** Dated facts shown on the charts of the directive's targets (see {@link catalogEventSchema}). */
  events: z.array(catalogEventSchema).default([]),
});

export const targetSetSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('TargetSet'),
  directive: slugId,
  targets: z.array(targetSchema).min(1),
});

const columnName = z.string().min(1);

export const regionUnitFileSchema = z.strictObject({
  /** CSV path, relative to the YAML file. */
  file: z.string().min(1),
  level: z.string().min(1),
  /** A fixed parent code for every row (e.g. the nation), instead of a parent column. */
  parent: z.string().min(1).optional(),
  valid_from: calendarDate.optional(),
  valid_to: calendarDate.optional(),
  columns: z
    .strictObject({
      code: columnName.default('code'),
      name: columnName.default('name'),
      parent: columnName.optional(),
      valid_from: columnName.optional(),
      valid_to: columnName.optional(),
    })
    .default({ code: 'code', name: 'name' }),
});

export const regionSuccessorFileSchema = z.strictObject({
  file: z.string().min(1),
  /** First day the successors exist; predecessors are the units valid the day before. */
  effective: calendarDate,
  /** Fixed kind for every row, when the file has no kind column. */
  kind: z.enum(['full', 'partial']).optional(),
  columns: z
    .strictObject({
      from: columnName.default('from'),
      to: columnName.default('to'),
      kind: columnName.optional(),
    })
    .default({ from: 'from', to: 'to' }),
});

export const regionSetSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('RegionSet'),
  id: slugId,
  name: z.string().min(1),
  timezone: timeZone,
  /** Levels from the top down, e.g. [nation, province, commune]. */
  levels: z.array(z.string().min(1)).min(1),
  root: z.strictObject({ code: z.string().min(1), name: z.string().min(1) }),
  /** The data's licence or attribution file, relative to the YAML file; shipped with the data. */
  attribution: z.string().optional(),
  units: z.array(regionUnitFileSchema).default([]),
  successors: z.array(regionSuccessorFileSchema).default([]),
});

export const catalogDocumentSchema = z.discriminatedUnion('kind', [
  directiveSchema,
  targetSetSchema,
  indicatorSetSchema,
  regionSetSchema,
]);

/**
 * Documents with their lists left unchecked, so that one bad target does not hide the checks of
 * the others: the loader validates the shell, then each list item on its own.
 */
export const documentShellSchema = z.discriminatedUnion('kind', [
  directiveSchema.extend({ targets: z.array(z.unknown()).default([]), events: z.array(z.unknown()).default([]) }),
  targetSetSchema.extend({ targets: z.array(z.unknown()).min(1) }),
  indicatorSetSchema.extend({ indicators: z.array(z.unknown()).min(1) }),
  regionSetSchema,
]);

/** The list each kind holds, and the schema of its items. */
export const documentItems = {
  Directive: { field: 'targets', schema: targetSchema },
  TargetSet: { field: 'targets', schema: targetSchema },
  IndicatorSet: { field: 'indicators', schema: indicatorSchema },
} as const;

export type IndicatorSpec = z.infer<typeof indicatorSchema>;
export type TargetSpec = z.infer<typeof targetSchema>;
export type DirectiveDocument = z.infer<typeof directiveSchema>;
export type CatalogEventSpec = z.infer<typeof catalogEventSchema>;
export type TargetSetDocument = z.infer<typeof targetSetSchema>;
export type IndicatorSetDocument = z.infer<typeof indicatorSetSchema>;
export type RegionSetDocument = z.infer<typeof regionSetSchema>;
export type RegionUnitFile = z.infer<typeof regionUnitFileSchema>;
export type RegionSuccessorFile = z.infer<typeof regionSuccessorFileSchema>;
export type CatalogDocument = z.infer<typeof catalogDocumentSchema>;
export type IndicatorKind = (typeof indicatorKinds)[number];
export type Rollup = (typeof rollups)[number];
export type Monotone = (typeof monotones)[number];
export type Direction = (typeof directions)[number];

/** Rollup when an indicator names none: counts add up, ratios average, a task is done when all parts are. */
export function defaultRollup(kind: IndicatorKind): Rollup {
  switch (kind) {
    case 'cumulative':
    case 'level':
      return 'sum';
    case 'ratio':
      return 'mean';
    case 'milestone':
      return 'min';
  }
}

export function durationSeconds(text: string): number {
  const m = /^(\d+)(m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
