import Fastify, {
  LogController,
  type ConnectionError,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBodyOf, httpStatusOf, retryAfterOf } from '../errors/error-mapping.js';
import { InputError, PacerError } from '../errors/pacer-error.js';
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
    clientErrorHandler: answerClientError,
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

/**
 * Requests Node's HTTP parser refuses before any route sees them (a bad chunk size, both
 * Content-Length and Transfer-Encoding, oversized headers, a timeout) get Pacer's error body too,
 * written on the socket, which is then closed: after a framing error nothing more on it can be read.
 */
function answerClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  // A reset connection has no one to answer; a response already started cannot get a second head.
  const started = (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || started) {
    socket.destroy();
    return;
  }
  this.log.debug({ err: error }, 'malformed request refused');
  const refusal = clientErrorOf(error);
  const status = httpStatusOf(refusal);
  const body = JSON.stringify(errorBodyOf(refusal));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

/** What a refusal of Node's HTTP parser means for the client, as a Pacer error with a stable code. */
function clientErrorOf(error: ConnectionError & { reason?: string }): InputError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new InputError('the request was not received in time', [], { code: 'request_timeout', cause: error });
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new InputError('the request headers are too large', [], { code: 'headers_too_large', cause: error });
  const reason = error.reason ?? error.message;
  return new InputError(`malformed HTTP request: ${reason}`, [], { code: 'bad_request', cause: error });
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
