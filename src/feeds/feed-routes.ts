import { z } from 'zod';
import { InputError, NotFoundError } from '../errors/pacer-error.js';
import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import type { FeedRunStore } from './feed-run-store.js';
import { slotsAround, type FeedRegistry } from './feed-registry.js';
import { feedDurationBuckets } from './feed-metrics.js';

/** The paths of the feeds API. */
export const feedPaths = { feeds: '/v1/feeds', runs: '/v1/feeds/{id}/runs' } as const;

const runsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Runs in this page, newest first.'),
  before: z
    .string()
    .optional()
    .describe('Only runs started before this ISO date-time (the last started_at of the previous page).'),
});

/** `GET /v1/feeds` (every feed with its schedule and latest run) and `GET /v1/feeds/{id}/runs`. */
export function feedRoutes(deps: { feeds: FeedRegistry; store: FeedRunStore; openapi: OpenApiRegistry }): Route[] {
  const registry = deps.openapi;
  const error = errorSchema(registry);
  const run = registry.component(
    'FeedRun',
    z.object({
      id: z.number().int(),
      feed_id: z.string(),
      slot: z.string().describe('The scheduled time this run is for; (feed, slot) is unique.'),
      trigger: z.enum(['schedule', 'catchup', 'manual']),
      status: z.enum(['running', 'succeeded', 'failed']),
      attempts: z.number().int(),
      duplicates: z.number().int().describe('Deliveries of this slot after it had succeeded, ignored.'),
      worker: z.string().nullable(),
      started_at: z.string(),
      finished_at: z.string().nullable(),
      duration_ms: z.number().int().nullable().describe('How long the run took, in whole milliseconds.'),
      received: z.number().int(),
      inserted: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      rejected: z.number().int(),
      batch_ids: z.array(z.number().int()),
      error_code: z.string().nullable(),
      error: z.string().nullable(),
      issues: z
        .array(z.object({ line: z.number().int(), field: z.string(), code: z.string(), message: z.string() }))
        .nullable()
        .describe('The first 100 problems, with line and field, when the data was rejected.'),
    }),
  );
  const feed = registry.component(
    'Feed',
    z.object({
      id: z.string(),
      description: z.string().nullable(),
      enabled: z.boolean(),
      source: z.enum(['http', 'file', 'postgres']),
      schedule: z.string(),
      timezone: z.string(),
      expected_every_seconds: z.number(),
      indicators: z.array(z.string()),
      next_run_at: z.string().nullable().describe('The next scheduled slot (null when disabled).'),
      last_success_at: z.string().nullable(),
      stale: z.boolean().describe('No success for more than two expected intervals (what KpiFeedStale alerts on).'),
      last_run: run.nullable(),
    }),
  );
  const feeds = defineRoute({
    method: 'get',
    path: feedPaths.feeds,
    summary: 'Scheduled feeds, their schedule and latest run',
    tags: ['feeds'],
    access: 'read',
    responses: {
      200: { description: 'Every feed of jobs/.', content: { 'application/json': z.object({ items: z.array(feed) }) } },
    },
    handler: async () => {
      const now = new Date();
      const stats = new Map((await deps.store.stats(feedDurationBuckets)).map((s) => [s.feedId, s]));
      const items = await Promise.all(
        deps.feeds.all().map(async (f) => {
          const [last] = await deps.store.runs(f.id, { limit: 1 });
          const success = stats.get(f.id)?.lastSuccessAt ?? null;
          return {
            id: f.id,
            description: f.description ?? null,
            enabled: f.enabled,
            source: f.source.type,
            schedule: f.schedule.cron,
            timezone: f.schedule.timezone,
            expected_every_seconds: f.expected_every / 1000,
            indicators: f.indicators,
            next_run_at: f.enabled ? slotsAround(f, now).next.toISOString() : null,
            last_success_at: success?.toISOString() ?? null,
            stale: f.enabled && success !== null && now.getTime() - success.getTime() > 2 * f.expected_every,
            last_run: last ?? null,
          };
        }),
      );
      return { items };
    },
  });
  const runs = defineRoute({
    method: 'get',
    path: feedPaths.runs,
    summary: "A feed's runs, newest first",
    tags: ['feeds'],
    access: 'read',
    params: z.object({ id: z.string() }),
    query: runsQuerySchema,
    responses: {
      200: { description: 'A page of runs.', content: { 'application/json': z.object({ items: z.array(run) }) } },
      404: { description: 'No such feed.', content: { 'application/json': error } },
    },
    handler: async ({ params: { id }, query }) => {
      if (!deps.feeds.get(id)) throw new NotFoundError(`feed "${id}" is not defined in jobs/`);
      let before: Date | undefined;
      if (query.before !== undefined) {
        before = new Date(query.before);
        if (Number.isNaN(before.getTime()))
          throw new InputError(
            `query before: expected an ISO date-time, got "${query.before}"`,
            [{ code: 'invalid_request', field: 'before', message: 'expected an ISO date-time' }],
            { code: 'invalid_request' },
          );
      }
      return { items: await deps.store.runs(id, { limit: query.limit, before }) };
    },
  });
  return [feeds, runs];
}
