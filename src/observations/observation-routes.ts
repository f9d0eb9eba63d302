import { Readable } from 'node:stream';
import { z } from 'zod';
import { formatLocalDate, parseCalendarDate, parseInstant, startOfNextDay } from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import type { IngestCatalogCache } from './ingest-catalog-cache.js';
import { ingestPaths } from './ingest-routes.js';
import type {
  ObservationCursor,
  ObservationFilter,
  ObservationReader,
  StoredObservation,
} from './observation-reader.js';

export interface ObservationRoutesDeps {
  reader: ObservationReader;
  catalog: IngestCatalogCache;
  openapi: OpenApiRegistry;
}

/** The paths of the read API (`GET /v1/observations` shares its path with the push). */
export const observationPaths = { indicators: '/v1/indicators', observations: ingestPaths.observations } as const;

/** Rows per database query while a response streams. */
const PAGE_ROWS = 5_000;
export const maxObservationLimit = 1_000_000;

export const observationQuerySchema = z.object({
  indicator: z.string().max(100).optional().describe('Catalog indicator id.'),
  region: z.string().max(100).optional().describe('Region code; every unit the code named over time.'),
  from: z
    .string()
    .optional()
    .describe("Inclusive. ISO date (the start of that day in the region's time zone) or date-time."),
  to: z.string().optional().describe('Inclusive. A bare date covers that whole day.'),
  limit: z.coerce.number().int().min(1).max(maxObservationLimit).default(1000).describe('Rows in this page.'),
  cursor: z.string().max(2000).optional().describe('next_cursor (JSON) or X-Next-Cursor (CSV) of the previous page.'),
  format: z.enum(['json', 'csv']).optional().describe('Overrides the Accept header.'),
});

/**
 * `GET /v1/indicators` and `GET /v1/observations` (JSON or CSV by Accept, streamed page by page
 * from the database, paginated with an opaque cursor over the primary key).
 */
export function observationRoutes(deps: ObservationRoutesDeps): Route[] {
  const registry = deps.openapi;
  const error = errorSchema(registry);
  const indicator = registry.component(
    'Indicator',
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      unit: z.string(),
      kind: z.enum(['cumulative', 'level', 'ratio', 'milestone']),
      rollup: z.string(),
      update_interval_seconds: z.number().int(),
    }),
  );
  const observation = registry.component(
    'Observation',
    z.object({
      indicator: z.string(),
      region: z.string(),
      observed_at: z.string().describe('UTC, ISO 8601.'),
      value: z.number(),
      dims: z.record(z.string(), z.string()),
      note: z.string().nullable(),
      batch_id: z.number().int().nullable(),
      observed_on: z
        .string()
        .describe(
          "The calendar date of observed_at in the region's time zone, YYYY-MM-DD: a value pushed for " +
            '2023-01-15 reads 2023-01-15 here (its observed_at, the end of that day, is 2023-01-15T16:59:59.999Z).',
        ),
    }),
  );
  const indicators = defineRoute({
    method: 'get',
    path: observationPaths.indicators,
    summary: 'The catalog indicators',
    tags: ['read'],
    access: 'read',
    responses: {
      200: {
        description: 'Every indicator.',
        content: { 'application/json': z.object({ items: z.array(indicator) }) },
      },
    },
    handler: async () => ({ items: await deps.reader.indicators() }),
  });
  const observations = defineRoute({
    method: 'get',
    path: observationPaths.observations,
    summary: 'Observations, filtered, as JSON or CSV (Accept: text/csv), streamed and paginated',
    tags: ['read'],
    access: 'read',
    query: observationQuerySchema,
    responses: {
      200: {
        description:
          'A page of observations in (indicator, region, observed_at, dims) order. CSV columns: ' +
          'indicator,region,observed_at,value,dims,note,batch_id,observed_on (dims as JSON).',
        content: {
          'application/json': z.object({ items: z.array(observation), next_cursor: z.string().nullable() }),
          'text/csv': null,
        },
        headers: { 'X-Next-Cursor': 'The cursor of the next page, when there is one (CSV).' },
      },
      400: {
        description: 'An unknown indicator or region, a bad date or cursor.',
        content: { 'application/json': error },
      },
    },
    handler: async ({ query, request, reply }) => {
      const filter = await filterOf(query, deps.catalog);
      const catalog = await deps.catalog.current();
      const zoneOf = (region: string) => catalog.region(region)?.timezone ?? catalog.defaultTimezone;
      const csv = query.format ? query.format === 'csv' : /\btext\/csv\b/.test(request.headers.accept ?? '');
      const limit = query.limit;
      const first = await deps.reader.page(filter, Math.min(limit, PAGE_ROWS) + 1);
      const state: { more: boolean; last?: StoredObservation } = { more: false };
      const rows = pages(deps.reader, filter, first, limit, state);
      if (csv) {
        // CSV carries the cursor in a header, so where this page ends must be known before the first row.
        let next: string | undefined;
        if (first.length > Math.min(limit, PAGE_ROWS)) {
          const [last, beyond] =
            limit <= PAGE_ROWS
              ? [first[limit - 1], first[limit]]
              : await deps.reader.page({ ...filter, offset: limit - 1 }, 2);
          if (last && beyond) next = encodeCursor(last.cursor);
        }
        if (next) void reply.header('x-next-cursor', next);
        return reply.type('text/csv; charset=utf-8').send(Readable.from(csvBody(rows, zoneOf)));
      }
      return reply.type('application/json; charset=utf-8').send(Readable.from(jsonBody(rows, state, zoneOf)));
    },
  });
  return [indicators, observations];
}

async function filterOf(
  query: z.output<typeof observationQuerySchema>,
  cache: IngestCatalogCache,
): Promise<ObservationFilter> {
  const catalog = await cache.current();
  const filter: ObservationFilter = {};
  const bad = (field: string, code: string, message: string): never => {
    throw new InputError(message, [{ field, code, message }], { code });
  };
  if (query.indicator !== undefined) {
    if (catalog.indicatorAt(query.indicator) < 0)
      bad('indicator', 'unknown_indicator', `unknown indicator "${query.indicator}"`);
    filter.indicator = query.indicator;
  }
  let timezone = catalog.defaultTimezone;
  if (query.region !== undefined) {
    const region = catalog.region(query.region) ?? bad('region', 'unknown_region', `unknown region "${query.region}"`);
    filter.regionIds = region.spans.map((s) => s.id);
    timezone = region.timezone;
  }
  if (query.from !== undefined)
    filter.from =
      parseInstant(query.from, timezone) ??
      bad('from', 'invalid_timestamp', `from: expected an ISO date or date-time, got "${query.from}"`);
  if (query.to !== undefined) {
    const day = parseCalendarDate(query.to);
    if (day) filter.before = startOfNextDay(day, timezone);
    else
      filter.until =
        parseInstant(query.to, timezone) ??
        bad('to', 'invalid_timestamp', `to: expected an ISO date or date-time, got "${query.to}"`);
  }
  if (query.cursor !== undefined)
    filter.after =
      decodeCursor(query.cursor) ?? bad('cursor', 'invalid_cursor', 'cursor: not a cursor this API returned');
  return filter;
}

/**
 * The page's rows: the first database page already read, then the next ones as the response is
 * written. Each query asks for one row more than it yields, so the end of the data is known.
 */
async function* pages(
  reader: ObservationReader,
  filter: ObservationFilter,
  first: StoredObservation[],
  limit: number,
  state: { more: boolean; last?: StoredObservation },
): AsyncGenerator<StoredObservation> {
  let remaining = limit;
  let rows = first;
  for (;;) {
    const wanted = Math.min(remaining, PAGE_ROWS);
    const take = Math.min(rows.length, wanted);
    for (let i = 0; i < take; i++) yield rows[i]!;
    remaining -= take;
    if (take > 0) state.last = rows[take - 1];
    state.more = rows.length > wanted;
    if (!state.more || remaining === 0) return;
    rows = await reader.page({ ...filter, after: rows[take - 1]!.cursor }, Math.min(remaining, PAGE_ROWS) + 1);
  }
}

async function* jsonBody(
  rows: AsyncIterable<StoredObservation>,
  state: { more: boolean; last?: StoredObservation },
  zoneOf: (region: string) => string,
): AsyncGenerator<string> {
  let out = '{"items":[';
  let first = true;
  let count = 0;
  for await (const r of rows) {
    out +=
      (first ? '' : ',') +
      JSON.stringify({
        indicator: r.indicator,
        region: r.region,
        observed_at: r.observed_at.toISOString(),
        value: r.value,
        dims: r.dims,
        note: r.note,
        batch_id: r.batch_id,
        observed_on: formatLocalDate(r.observed_at, zoneOf(r.region)),
      });
    first = false;
    if (++count % 500 === 0) {
      yield out;
      out = '';
    }
  }
  const next = state.more && state.last ? encodeCursor(state.last.cursor) : null;
  yield `${out}],"next_cursor":${JSON.stringify(next)}}`;
}

async function* csvBody(
  rows: AsyncIterable<StoredObservation>,
  zoneOf: (region: string) => string,
): AsyncGenerator<string> {
  let out = 'indicator,region,observed_at,value,dims,note,batch_id,observed_on\n';
  let count = 0;
  for await (const r of rows) {
    out +=
      `${r.indicator},${csvCell(r.region)},${r.observed_at.toISOString()},${r.value},` +
      `${csvCell(JSON.stringify(r.dims))},${r.note === null ? '' : csvCell(r.note)},${r.batch_id ?? ''},` +
      `${formatLocalDate(r.observed_at, zoneOf(r.region))}\n`;
    if (++count % 500 === 0) {
      yield out;
      out = '';
    }
  }
  yield out;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function encodeCursor(c: ObservationCursor): string {
  return Buffer.from(JSON.stringify([c.indicator, c.regionId, c.observedAtMicros, c.dims])).toString('base64url');
}

function decodeCursor(text: string): ObservationCursor | undefined {
  try {
    const [indicator, regionId, observedAtMicros, dims] = JSON.parse(
      Buffer.from(text, 'base64url').toString('utf8'),
    ) as unknown[];
    if (
      typeof indicator !== 'string' ||
      !Number.isInteger(regionId) ||
      typeof observedAtMicros !== 'string' ||
      !/^-?\d+$/.test(observedAtMicros) ||
      typeof dims !== 'string'
    )
      return undefined;
    JSON.parse(dims);
    return { indicator, regionId: regionId as number, observedAtMicros, dims };
  } catch {
    return undefined;
  }
}
