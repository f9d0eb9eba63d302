import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { errorBodyOf, httpStatusOf, retryAfterOf } from '../errors/error-mapping.js';
import { PacerError } from '../errors/pacer-error.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { defineRoute, routesPlugin, type Route, type RouteAuthorizer } from './route.js';

/** What `/readyz` reports: ready only when every check passes. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface HttpServerDeps {
  logger: Logger;
  readiness: () => Promise<Readiness>;
  /** The routes of the features the api role serves: declared routes, or plugins. */
  routes: (FastifyPluginAsync | readonly Route[])[];
  /** Checks tokens for the declared routes that are not open. */
  authorize?: RouteAuthorizer;
  bodyLimitBytes?: number;
  /** When given, every request is counted and timed by route pattern (bounded label values). */
  metrics?: PipelineMetrics;
}

/**
 * The api role's HTTP server. Errors from any route become `{ error: { code, message, issues? } }`
 * with the status `error-mapping.ts` assigns, so every endpoint fails the same way.
 */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request logs would drown the useful ones (Prometheus scrapes every few seconds); HTTP metrics count requests
    // instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes ?? 1_048_576,
    return503OnClosing: true,
  });

  app.setErrorHandler((error, request, reply) => {
    // Pacer's errors map in one place; fastify's own client errors (bad JSON, body too large,
    // unsupported media type) keep their 4xx status; anything else is an internal error.
    const clientStatus = (error as { statusCode?: number }).statusCode;
    const isClientError =
      !(error instanceof PacerError) && clientStatus !== undefined && clientStatus >= 400 && clientStatus < 500;
    const status = isClientError ? clientStatus : httpStatusOf(error);
    if (status >= 500) request.log[status === 503 ? 'warn' : 'error']({ err: error }, 'request failed');
    const body = isClientError
      ? { error: { code: fastifyCode(error), message: (error as Error).message } }
      : errorBodyOf(error);
    const retryAfter = isClientError ? undefined : retryAfterOf(error);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="pacer"');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      metrics.httpRequestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }

  await app.register(routesPlugin(probeRoutes(deps.readiness)));
  for (const routes of deps.routes)
    await app.register(typeof routes === 'function' ? routes : routesPlugin(routes, { authorize: deps.authorize }));
  return app;
}

/** `GET /healthz` (the process answers) and `GET /readyz` (it can serve: every readiness check passes). */
function probeRoutes(readiness: () => Promise<Readiness>): Route[] {
  const probe = { tags: ['meta'], access: 'open' as const, document: false };
  return [
    defineRoute({
      ...probe,
      method: 'get',
      path: '/healthz',
      summary: 'Liveness',
      responses: { 200: { description: 'Alive.' } },
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      ...probe,
      method: 'get',
      path: '/readyz',
      summary: 'Readiness',
      responses: { 200: { description: 'Ready.' }, 503: { description: 'A check failed.' } },
      handler: async ({ reply }) => {
        const report = await readiness();
        return reply.status(report.ready ? 200 : 503).send(report);
      },
    }),
  ];
}

function fastifyCode(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  const known: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
    FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
    FST_ERR_VALIDATION: 'invalid_request',
  };
  return known[code] ?? 'bad_request';
}
