import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../auth/token-service.js';
import { InputError } from '../errors/pacer-error.js';
import { drainBody } from './drain-body.js';
import type { OpenApiRegistry, OperationAccess, OperationDoc } from './openapi-registry.js';

/** Who may call a route: anyone, or a bearer token of at least this role (reads: only when configured). */
export type RouteAccess = OperationAccess;

/** Checks a request's `Authorization` header for a route's access; undefined for an open read. */
export type RouteAuthorizer = (
  authorization: string | undefined,
  access: Exclude<RouteAccess, 'open'>,
) => Promise<Principal | undefined>;

type Part = z.ZodObject | undefined;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyDoc = NonNullable<OperationDoc['body']> & {
  /** The handler reads `request.raw` itself (streaming); fastify must not parse the body first. */
  raw?: boolean;
};
type ParsedBody<B> = B extends { raw: true }
  ? undefined
  : B extends { content: { 'application/json': infer S } }
    ? Parsed<S>
    : undefined;

/** What a handler gets: the request parts parsed with the route's schemas, the principal, the raw request and reply. */
export interface RouteInput<P = unknown, Q = unknown, H = unknown, B = unknown, A extends RouteAccess = RouteAccess> {
  params: P;
  query: Q;
  headers: H;
  body: B;
  /** Always there for writes and admin routes; for reads only when the deployment requires tokens. */
  principal: A extends 'write' | 'admin' ? Principal : Principal | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One HTTP route, declared once: the fastify registration, the request validation, the access
 * check and the OpenAPI operation all come from it.
 */
export interface RouteDeclaration<
  P extends Part,
  Q extends Part,
  H extends Part,
  B extends BodyDoc | undefined,
  A extends RouteAccess,
> extends Omit<OperationDoc, 'params' | 'query' | 'headers' | 'body' | 'access'> {
  access: A;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  /** False for routes outside the API document (pages, probes, metrics). */
  document?: boolean;
  /**
   * Refusals before the handler starts (401, 403, a bad parameter) read a bounded rest of the body
   * (so the answer reaches a client still sending) and close the connection of a client that sends
   * more: a large body is not read to the end for nothing. The handler removes the header once it
   * reads the body.
   */
  closeOnRefusal?: boolean;
  /** Answers an error its own way (an HTML page); undefined leaves it to the server's error handler. */
  onError?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  handler: (input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<H>, ParsedBody<B>, A>) => unknown;
}

/** A declared route, its handler's types erased so that routes of any shape go in one list. */
export interface Route extends Omit<RouteDeclaration<Part, Part, Part, BodyDoc | undefined, RouteAccess>, 'handler'> {
  handler: (input: RouteInput) => unknown;
}

/** Declares a route; the handler's `params`, `query`, `headers` and `body` are typed from the schemas. */
export function defineRoute<
  A extends RouteAccess,
  P extends Part = undefined,
  Q extends Part = undefined,
  H extends Part = undefined,
  B extends BodyDoc | undefined = undefined,
>(route: RouteDeclaration<P, Q, H, B, A>): Route {
  return route as unknown as Route;
}

/** The fastify pattern of an OpenAPI path: `/v1/batches/{id}` → `/v1/batches/:id`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/** A concrete URL path from a route's path, each `{name}` filled (encoded): for clients of the API. */
export function fillPath(path: string, values: Record<string, string | number>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(String(value));
  });
}

/**
 * Parses a request part with its zod schema; a mismatch is a 400 (`invalid_request`) naming each
 * parameter. So is any string in it holding a NUL or a lone UTF-16 surrogate, whatever the schema:
 * PostgreSQL refuses NUL in text and such a string is no Unicode text, so no route could store,
 * look up or echo it.
 */
export function parseRequestPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'query' | 'path' | 'header' | 'body',
): z.output<S> {
  const unusable = [...new Set(unusableText(value))];
  if (unusable.length > 0) {
    const issues = unusable.slice(0, maxTextIssues).map((name) => ({
      code: 'invalid_request',
      field: name || where,
      message: `${[where, name].filter(Boolean).join(' ')}: contains a NUL character or a lone UTF-16 surrogate`,
    }));
    throw new InputError(issues.map((i) => i.message).join('; '), issues, {
      code: 'invalid_request',
      issuesTotal: unusable.length,
    });
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    // Array positions (a repeated query parameter) are not part of the parameter's name.
    const name = issue.path.filter((p) => typeof p === 'string').join('.');
    const message = `${[where, name].filter(Boolean).join(' ')}: ${issue.message}`;
    return { code: 'invalid_request', field: name || where, message };
  });
  throw new InputError(issues.map((i) => i.message).join('; '), issues, { code: 'invalid_request' });
}

const maxTextIssues = 20;
// With the `u` flag a valid surrogate pair is one code point, so `\p{Cs}` matches only lone halves.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const unusableCharacter = /\u0000|\p{Cs}/u;

/** The names of the string values in a request part that hold a NUL or a lone surrogate. */
function unusableText(value: unknown, path: readonly (string | number)[] = [], found: string[] = []): string[] {
  if (typeof value === 'string') {
    // Array positions (a repeated query parameter) are not part of the parameter's name.
    if (unusableCharacter.test(value)) found.push(path.filter((p) => typeof p === 'string').join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unusableText(item, [...path, i], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) unusableText(item, [...path, key], found);
  }
  return found;
}

export interface RoutesPluginOptions {
  /** Checks tokens for every route whose access is not `open`; needed only when there is one. */
  authorize?: RouteAuthorizer;
  /** When given, every documented route is described in it. */
  openapi?: OpenApiRegistry;
}

/** A fastify plugin serving `routes`; with `openapi`, their operations are added to the document now. */
export function routesPlugin(routes: readonly Route[], options: RoutesPluginOptions = {}): FastifyPluginAsync {
  for (const route of routes) if (route.document !== false) options.openapi?.operation(route);
  const guarded = routes.find((route) => route.access !== 'open');
  if (guarded && !options.authorize) {
    throw new Error(`${guarded.method} ${guarded.path} needs a token check, and none was given`);
  }
  const authorize = options.authorize ?? (async () => undefined);
  return async (app) => {
    for (const route of routes) {
      const definition = routeOptions(route, authorize);
      if (!route.body?.raw) {
        app.route(definition);
        continue;
      }
      await app.register(async (raw) => {
        // The handler parses the body from the raw request as it streams; fastify must not read it first.
        raw.removeAllContentTypeParsers();
        raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
        raw.route(definition);
      });
    }
  };
}

/** How much of a refused request's body is read (and how long for) so that the refusal reaches the client. */
const REFUSAL_DRAIN_BYTES = 64 * 1024 * 1024;
const REFUSAL_DRAIN_MS = 5_000;

function routeOptions(route: Route, authorize: RouteAuthorizer): RouteOptions {
  const json = route.body && !route.body.raw ? route.body.content['application/json'] : undefined;
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    if (route.closeOnRefusal) void reply.header('connection', 'close');
    let input: RouteInput;
    try {
      const { access } = route;
      input = {
        principal: access === 'open' ? undefined : await authorize(request.headers.authorization, access),
        params: route.params ? parseRequestPart(route.params, request.params, 'path') : undefined,
        query: route.query ? parseRequestPart(route.query, request.query, 'query') : undefined,
        headers: route.headers ? parseRequestPart(route.headers, request.headers, 'header') : undefined,
        body: json ? parseRequestPart(json, request.body, 'body') : undefined,
        request,
        reply,
      };
    } catch (error) {
      // Refused before the body is read. Closing at once while the client still sends would reset
      // the connection, and the client would lose the answer (a 401 reads as "unreachable"): read a
      // bounded rest of the body first, and close only a client that sends more than that.
      if (route.closeOnRefusal && (await drainBody(request.raw, REFUSAL_DRAIN_BYTES, REFUSAL_DRAIN_MS))) {
        reply.removeHeader('connection');
      }
      throw error;
    }
    return route.handler(input);
  };
  const onError = route.onError;
  return {
    method: route.method.toUpperCase() as RouteOptions['method'],
    url: fastifyPath(route.path),
    handler: !onError
      ? handle
      : async (request, reply) => {
          try {
            return await handle(request, reply);
          } catch (error) {
            const answered = await onError(error, request, reply);
            if (!answered) throw error;
            return answered;
          }
        },
  };
}
