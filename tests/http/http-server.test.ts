import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InputError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
} from '../../src/errors/pacer-error.js';
import { buildHttpServer, type Readiness } from '../../src/http/http-server.js';
import { createLogger } from '../../src/logging/logger.js';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';
import { metricsRoutes } from '../../src/metrics/metrics-routes.js';
import { pacerMetrics } from '../../src/conventions.js';

async function server(readiness: Readiness = { ready: true, checks: {} }) {
  const metrics = createPipelineMetrics({ defaultMetrics: false });
  const app = await buildHttpServer({
    logger: createLogger({ level: 'silent', pretty: false }),
    readiness: async () => readiness,
    metrics,
    routes: [
      metricsRoutes(metrics),
      async (a) => {
        a.get('/boom/input', async () => {
          throw new InputError(
            'bad line',
            [{ code: 'unknown_indicator', line: 3, field: 'indicator', message: 'unknown indicator "x"' }],
            { code: 'invalid_batch' },
          );
        });
        a.get('/boom/missing', async () => {
          throw new NotFoundError('no batch 7');
        });
        a.get('/boom/conflict', async () => {
          throw new ConflictError('has data', { code: 'prune_required' });
        });
        a.get('/boom/down', async () => {
          throw new UnavailableError('database down', { code: 'database_unavailable' });
        });
        a.get('/boom/bug', async () => {
          throw new Error('secret internal detail');
        });
        a.post('/echo', async (request) => request.body);
        a.get('/boom/:code', async (request) => {
          const code = (request.params as { code: string }).code;
          if (code === 'unauthorized') throw new UnauthorizedError('no token');
          if (code === 'forbidden_role') throw new ForbiddenError('a reader', { code });
          if (code === 'idempotency_conflict') throw new ConflictError('key reused', { code });
          if (code === 'too_many_ingests') throw new UnavailableError('busy', { code, retryAfterSeconds: 1 });
          if (code === 'connection')
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          throw new InputError('bad body', [], { code });
        });
      },
    ],
  });
  return { app, metrics };
}

describe('HTTP errors', () => {
  it.each([
    [
      '/boom/input',
      400,
      {
        code: 'invalid_batch',
        message: 'bad line',
        issues: [{ code: 'unknown_indicator', line: 3, field: 'indicator', message: 'unknown indicator "x"' }],
      },
    ],
    ['/boom/missing', 404, { code: 'not_found', message: 'no batch 7' }],
    ['/boom/conflict', 409, { code: 'prune_required', message: 'has data' }],
    ['/boom/down', 503, { code: 'database_unavailable', message: 'database down' }],
    ['/boom/bug', 500, { code: 'internal', message: 'internal error' }],
  ])('maps %s to %i with a machine-readable body', async (url, status, error) => {
    const { app } = await server();
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error });
  });

  it.each([
    ['unauthorized', 401, undefined],
    ['forbidden_role', 403, undefined],
    ['body_timeout', 408, undefined],
    ['request_timeout', 408, undefined],
    ['body_too_large', 413, undefined],
    ['unsupported_media_type', 415, undefined],
    ['idempotency_conflict', 422, undefined],
    ['too_many_ingests', 429, '1'],
    ['headers_too_large', 431, undefined],
    ['connection', 503, '5'],
  ])('maps %s to %i, with Retry-After %s when it is worth retrying', async (code, status, retryAfter) => {
    const { app } = await server();
    const response = await app.inject({ method: 'GET', url: `/boom/${code}` });
    expect(response.statusCode).toBe(status);
    expect(response.headers['retry-after']).toBe(retryAfter);
    expect(response.json().error.code).toBe(code === 'connection' ? 'database_unavailable' : code);
    if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer realm="pacer"');
  });

  it('keeps the status of fastify client errors, with a code', async () => {
    const { app } = await server();
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"broken',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_json');
  });

  it('answers 404 with a body for unknown routes', async () => {
    const { app } = await server();
    const response = await app.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
  });
});

describe('health and metrics', () => {
  it('reports not ready with 503 and the failing check', async () => {
    const { app } = await server({ ready: false, checks: { database: { ok: false, detail: 'down' } } });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ready: false, checks: { database: { ok: false, detail: 'down' } } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('counts requests by route pattern, not by raw URL', async () => {
    const { app } = await server();
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/healthz?x=1' });
    await app.inject({ method: 'GET', url: '/nope/123' });
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toContain(`${pacerMetrics.httpRequestsTotal}{method="GET",route="/healthz",status="200"} 2`);
    expect(body).toContain(`${pacerMetrics.httpRequestsTotal}{method="GET",route="unmatched",status="404"} 1`);
    expect(body).not.toContain('/nope/123');
  });
});
