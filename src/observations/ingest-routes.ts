import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { InputError, NotFoundError } from '../errors/pacer-error.js';
import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { drainBody } from '../http/drain-body.js';
import { defineRoute, type Route } from '../http/route.js';
import { formatOfContentType, mediaTypes, recordsOf } from './formats/record-formats.js';
import type { BatchHistory } from './ingest-store.js';
import {
  batchListQuerySchema,
  batchParamsSchema,
  ingestHeadersSchema,
  ingestQuerySchema,
  ingestSchemas,
} from './ingest-schema.js';
import { IngestSlots } from './ingest-slots.js';
import type { Ingestor } from './ingestor.js';

export interface IngestRoutesDeps {
  ingestor: Ingestor;
  batches: BatchHistory;
  openapi: OpenApiRegistry;
  /** Largest body accepted (after decompression), in bytes. */
  maxBodyBytes: number;
  /** Ingests running at once; past it, a push waits for a slot (see `ingestWait`), then 429 with Retry-After. */
  maxConcurrentIngests: number;
  /** Ingests of one token at once, running or waiting; past it, 429 at once. */
  maxIngestsPerToken: number;
  /** How many pushes may wait for a slot, and for how long (ms; 0: refused at once). */
  ingestWait: { maxWaiting: number; maxWaitMs: number };
  /** Longest silence while the body is read; past it, 408 (`body_timeout`) and nothing written. */
  bodyIdleTimeoutMs: number;
  /** Longest time reading one body may take, from when the push got its slot; past it, 408 as well. */
  bodyMaxMs: number;
}

/** The paths of the ingest API, for its clients (`pacer push`). */
export const ingestPaths = {
  observations: '/v1/observations',
  batches: '/v1/batches',
  batch: '/v1/batches/{id}',
} as const;

/**
 * `POST /v1/observations` (the push API) and `GET /v1/batches[/{id}]` (its audit trail). The body
 * is never buffered: it is hashed (for idempotency), metered (for the size limit), decompressed
 * when gzip and parsed as it streams, straight into the Ingestor.
 */
export function ingestRoutes(deps: IngestRoutesDeps): Route[] {
  const schemas = ingestSchemas(deps.openapi);
  const error = errorSchema(deps.openapi);
  const errorResponse = (description: string) => ({ description, content: { 'application/json': error } });
  const slots = new IngestSlots({
    slots: deps.maxConcurrentIngests,
    perToken: deps.maxIngestsPerToken,
    ...deps.ingestWait,
  });
  const push = defineRoute({
    method: 'post',
    path: ingestPaths.observations,
    summary: 'Push observations (JSON array, NDJSON or CSV)',
    description:
      'Validates and writes a batch of observations in one transaction. Same key and value again: unchanged (not ' +
      'rewritten). Changed value: updated, the old value kept as a revision. ' +
      'CSV: header indicator,region,observed_at,value plus optional note and dim.<name> columns. Bodies may be ' +
      'gzip-compressed (Content-Encoding: gzip).',
    tags: ['ingest'],
    access: 'write',
    // Refusals before the body is read do not read a large body nobody wants (see closeOnRefusal).
    closeOnRefusal: true,
    query: ingestQuerySchema,
    headers: ingestHeadersSchema,
    body: {
      raw: true,
      content: {
        [mediaTypes.json]: z.array(schemas.record),
        [mediaTypes.ndjson]: null,
        [mediaTypes.csv]: null,
      },
    },
    responses: {
      200: {
        description: 'Written (mode=partial: the valid records; see rejected and errors).',
        content: { 'application/json': schemas.summary },
        headers: { 'Idempotent-Replayed': 'true when this answers an earlier request with the same Idempotency-Key' },
      },
      400: errorResponse(
        'Invalid records (mode=atomic: nothing written; error.issues lists them with line, field and code), a ' +
          'broken body, or an empty one.',
      ),
      401: errorResponse('No token, an unknown one or a revoked one.'),
      403: errorResponse(
        'A reader token, or indicators outside the token scope (named in the message); nothing written.',
      ),
      408: errorResponse(
        'The body stalled (no byte for PACER_INGEST_IDLE_TIMEOUT_SECONDS) ' +
          'or took longer than PACER_INGEST_MAX_SECONDS; nothing written.',
      ),
      413: errorResponse('The body is larger than PACER_INGEST_MAX_BYTES.'),
      415: errorResponse(
        'Content-Type is not application/json, application/x-ndjson or text/csv (UTF-8), or Content-Encoding is ' +
          'not gzip.',
      ),
      422: errorResponse('The Idempotency-Key was used for a different request.'),
      429: errorResponse(
        'Too many ingests at once (PACER_INGEST_CONCURRENCY, none free within PACER_INGEST_QUEUE_SECONDS), ' +
          'or too many of this token (PACER_INGEST_TOKEN_CONCURRENCY); retry after Retry-After seconds.',
      ),
      503: errorResponse('The database is unreachable; retry after Retry-After seconds.'),
    },
    handler: async ({ query: { mode }, headers, principal, request, reply }) => {
      const format = formatOfContentType(request.headers['content-type']);
      if (!format) {
        throw new InputError(
          `Content-Type must be ${Object.values(mediaTypes).join(', ')} (UTF-8); got ` +
            `${request.headers['content-type'] ?? 'none'}`,
          [],
          { code: 'unsupported_media_type' },
        );
      }
      const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (encoding !== 'identity' && encoding !== 'gzip')
        throw new InputError(`Content-Encoding must be gzip or absent; got ${encoding}`, [], {
          code: 'unsupported_media_type',
        });
      const declared = Number(request.headers['content-length']);
      if (encoding === 'identity' && declared > deps.maxBodyBytes) throw tooLarge(deps.maxBodyBytes);
      const release = await slots.acquire(principal.tokenId === null ? 'admin' : `token:${principal.tokenId}`);
      reply.removeHeader('connection');
      try {
        const hash = createHash('sha256').update(`${format}\n${mode}\n`);
        const hashed = hashing(
          bodyChunks(request.raw, { idleMs: deps.bodyIdleTimeoutMs, maxMs: deps.bodyMaxMs, since: Date.now() }),
          hash,
        );
        const body = encoding === 'gzip' ? gunzipped(hashed) : hashed;
        const summary = await deps.ingestor.ingest({
          source: 'push',
          feed: principal.feed,
          tokenId: principal.tokenId,
          scope: principal.scope,
          mode,
          idempotencyKey: headers['idempotency-key'] ?? null,
          requestHash: () => hash.digest('hex'),
          records: recordsOf(format, limited(body, deps.maxBodyBytes)),
        });
        if (summary.replayed) void reply.header('idempotent-replayed', 'true');
        return reply.send(summary);
      } catch (error) {
        // The client may still be sending. Closing now would reset the connection and lose this
        // answer (a 503 the client should retry on); read the rest away first, within bounds. A
        // body that timed out is not waited for again: its answer closes the connection.
        const timedOut = error instanceof InputError && error.code === 'body_timeout';
        if (timedOut || !(await drainBody(request.raw, deps.maxBodyBytes, 10_000)))
          void reply.header('connection', 'close');
        throw error;
      } finally {
        release();
      }
    },
  });
  const batch = defineRoute({
    method: 'get',
    path: ingestPaths.batch,
    summary: 'One ingest batch: who sent it, when, what it did, its first errors',
    tags: ['ingest'],
    access: 'read',
    params: batchParamsSchema,
    responses: {
      200: { description: 'The batch.', content: { 'application/json': schemas.batch } },
      404: errorResponse('No such batch.'),
    },
    handler: async ({ params: { id } }) => {
      const found = await deps.batches.get(id);
      if (!found) throw new NotFoundError(`no batch ${id}`);
      return found;
    },
  });
  const batches = defineRoute({
    method: 'get',
    path: ingestPaths.batches,
    summary: 'Recent ingest batches, newest first',
    tags: ['ingest'],
    access: 'read',
    query: batchListQuerySchema,
    responses: {
      200: {
        description: 'The batches.',
        content: { 'application/json': z.object({ items: z.array(schemas.batch) }) },
      },
    },
    handler: async ({ query }) => ({ items: await deps.batches.list(query) }),
  });
  return [push, batch, batches];
}

function tooLarge(limit: number): InputError {
  return new InputError(
    `the body is larger than ${limit} bytes (PACER_INGEST_MAX_BYTES); split it into several batches`,
    [],
    { code: 'body_too_large' },
  );
}

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/**
 * The request body's chunks, as they arrive. A client that sends nothing for `idleMs`, or is
 * still sending `maxMs` after `since` (epoch ms), gets a `body_timeout` error: a slow or vanished client
 * must not hold an ingest slot (and its batch's transaction) indefinitely. Only time spent
 * waiting for the client counts as idle; time the ingestor spends writing does not.
 */
async function* bodyChunks(
  request: IncomingMessage,
  limits: { idleMs: number; maxMs: number; since: number },
): AsyncGenerator<Buffer> {
  // Stopping early (a bad header, a body over the limit) must not destroy the request: that
  // would close the socket before the error response is sent.
  const chunks = (request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const left = limits.since + limits.maxMs - Date.now();
      if (left <= 0) throw bodyTimeout(`the body took longer than ${limits.maxMs / 1000} s (PACER_INGEST_MAX_SECONDS)`);
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), Math.min(limits.idleMs, left));
      });
      // A read still pending when the time runs out is left behind: the 408 closes the connection,
      // which ends it.
      const next = await Promise.race([chunks.next(), expired]);
      clearTimeout(timer);
      if (next === 'expired') {
        throw bodyTimeout(
          limits.idleMs <= left
            ? `no part of the body arrived for ${limits.idleMs / 1000} s (PACER_INGEST_IDLE_TIMEOUT_SECONDS)`
            : `the body took longer than ${limits.maxMs / 1000} s (PACER_INGEST_MAX_SECONDS)`,
        );
      }
      if (next.done) return;
      yield next.value;
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ECONNRESET')
      throw new InputError('the client closed the connection before the body was complete', [], {
        code: 'body_aborted',
        cause: error,
      });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function bodyTimeout(reason: string): InputError {
  return new InputError(`${reason}; nothing was written, send the batch again`, [], { code: 'body_timeout' });
}

async function* limited(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit);
    yield chunk;
  }
}

async function* gunzipped(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (gunzip.destroyed) return;
        if (!gunzip.write(chunk)) await Promise.race([once(gunzip, 'drain'), once(gunzip, 'close')]);
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`the body is not valid gzip: ${(error as Error).message}`, [], {
      code: 'invalid_gzip',
      cause: error,
    });
  } finally {
    gunzip.destroy();
    await feeding;
  }
}
