import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { API_VERSION } from '../domain/catalog/catalog-schema.js';
import { scopePattern } from '../domain/observations/indicator-scope.js';
import { isValidTimeZone } from '../domain/time/zoned-time.js';

/**
 * A scheduled feed (`jobs/*.yaml`, `apiVersion: pacer/v1`, `kind: Feed`): where to pull indicator
 * values from, how to map them to observations, when, and which indicators it may write. Types
 * are derived from these schemas; the README's "Scheduled feeds" section documents every field.
 */

const durationUnits = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `500ms`, `30s`, `5m`, `12h`, `1d`, `2w` → milliseconds. */
export const durationMs = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(String(v).trim());
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as 30s, 5m, 12h or 1d; got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return Math.round(Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits]);
  })
  .pipe(z.number().positive({ message: 'must be longer than zero' }));

const feedId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, { message: 'expected an id of a-z, 0-9, -, _ and .' })
  .max(100);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
  message: 'expected the NAME of an environment variable (A-Z, 0-9, _), never the secret itself',
});

/** A cron expression (5 fields, or 6 with seconds) that cron-parser accepts. */
const cronText = z.string().superRefine((value, ctx) => {
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${(error as Error).message}` });
  }
});

const timeZone = z.string().refine(isValidTimeZone, { message: 'expected an IANA time zone such as Asia/Ho_Chi_Minh' });

/** `"0 6 * * *"` is short for `{ cron: "0 6 * * *" }`. */
const scheduleSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { cron: v } : v),
  z.strictObject({ cron: cronText, timezone: timeZone.optional() }),
);

/**
 * Where a field of an observation comes from: a column name (CSV, SQL rows) or a path into the
 * JSON record (`region.code`, `values[0]`, `$.a.b`); or a constant for every record.
 */
const fieldSource = z.union([z.string().min(1), z.strictObject({ const: z.union([z.string(), z.number()]) })]);

export const mappingSchema = z.strictObject({
  indicator: fieldSource,
  region: fieldSource,
  observed_at: fieldSource,
  value: fieldSource,
  note: fieldSource.optional(),
  /** Dimension name → where its value comes from. */
  dims: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a snake_case dimension name' }), fieldSource)
    .optional(),
});

const formatSchema = z.enum(['json', 'ndjson', 'csv'], {
  error: (issue) => `expected json, ndjson or csv; got ${JSON.stringify(issue.input)}`,
});

const httpSourceSchema = z.strictObject({
  type: z.literal('http'),
  url: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), { message: 'expected an http:// or https:// URL' }),
  format: formatSchema.default('json'),
  /**
   * Request headers whose values are read from environment variables at run time: `{ Authorization: MPS_API_TOKEN }`.
   */
  headers_from_env: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, { message: 'expected an HTTP header name' }), envName)
    .optional(),
  /** JSON only: the path to the array of records in the response (`data.items`); the whole body when absent. */
  records: z.string().min(1).optional(),
  /** Largest response accepted. */
  max_bytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
});

const fileSourceSchema = z.strictObject({
  type: z.literal('file'),
  /** A path or glob (`drop/*.csv`), relative to the jobs folder. */
  path: z.string().min(1),
  /** Taken from the file name when absent. */
  format: formatSchema.optional(),
  records: z.string().min(1).optional(),
});

const postgresSourceSchema = z.strictObject({
  type: z.literal('postgres'),
  /** Name of the environment variable holding the connection string. */
  connection_env: envName,
  /** Runs in a READ ONLY transaction; `$1` is bound to the run's slot (its scheduled time) when used. */
  query: z.string().min(1),
});

export const feedSourceSchema = z.discriminatedUnion(
  'type',
  [httpSourceSchema, fileSourceSchema, postgresSourceSchema],
  {
    error: (issue) => (issue.code === 'invalid_union' ? 'expected source.type http, file or postgres' : undefined),
  },
);

export const feedSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Feed'),
  id: feedId,
  description: z.string().optional(),
  /** A disabled feed is validated and can be run by hand (`pacer jobs run`) but gets no schedule. */
  enabled: z.boolean().default(true),
  /** Cron (with seconds optional) in `timezone`; the catalog's time zone when absent. */
  schedule: scheduleSchema,
  /** A run taking longer fails (and is retried). */
  timeout: durationMs.default(60_000),
  /** Attempts after the first failure, spaced `backoff`, 2×, 4×, ... apart. */
  retries: z
    .strictObject({ attempts: z.number().int().min(0).max(20).default(3), backoff: durationMs.default(30_000) })
    .default({ attempts: 3, backoff: 30_000 }),
  /** How often a successful run is expected: KpiFeedStale fires when the last success is older than two of these. */
  expected_every: durationMs,
  /** Indicator ids or patterns (`vneid_*`) the feed may write: the push tokens' scope model. */
  indicators: z
    .array(z.string().regex(scopePattern, { message: 'expected an indicator id or pattern such as vneid_*' }))
    .min(1),
  /** `atomic`: one invalid record fails the run and nothing is written; `partial`: valid records are written. */
  mode: z.enum(['atomic', 'partial']).default('atomic'),
  source: feedSourceSchema,
  /** How source records become observations; the source must already use Pacer's field names when absent. */
  mapping: mappingSchema.optional(),
});

export type FeedSpec = z.infer<typeof feedSchema>;
export type FeedSourceSpec = z.infer<typeof feedSourceSchema>;
export type FeedMapping = z.infer<typeof mappingSchema>;
export type FieldSource = z.infer<typeof fieldSource>;

/** A validated feed with its schedule's time zone resolved and where it was defined. */
export interface FeedDefinition extends Omit<FeedSpec, 'schedule'> {
  schedule: { cron: string; timezone: string };
  /** The YAML file, for messages. */
  file: string;
  /** The folder relative paths in `source.path` are read from. */
  baseDir: string;
}
