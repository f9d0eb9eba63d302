import type { FastifyPluginAsync } from 'fastify';
import type { Access, Principal, TokenService } from './token-service.js';

/** Whether reads (GET /v1/*) need a token: `open` (the default) or `token` (reader or better). */
export type ReadAuth = 'open' | 'token';

/** Checks a request's `Authorization` header for an operation; undefined for an open read. */
export type RequestAuthorizer = (authorization: string | undefined, access: Access) => Promise<Principal | undefined>;

export function requestAuthorizer(tokens: TokenService, readAuth: ReadAuth): RequestAuthorizer {
  return async (authorization, access) => {
    if (access === 'read' && readAuth === 'open') return undefined;
    return tokens.authorize(authorization, access);
  };
}

/**
 * Every `GET /v1/*`, this feature's and the others' (the scorecard's `/v1/targets`), checked in
 * one place: with `PACER_READ_AUTH=token` it needs a reader, writer or admin token. Writes and
 * token management check their stronger needs in their own routes.
 */
export function readAuthHook(authorize: RequestAuthorizer): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook('onRequest', async (request) => {
      if ((request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith('/v1/')) await authorize(request.headers.authorization, 'read');
    });
  };
  // Not encapsulated (what fastify-plugin does): the hook must see routes registered beside it.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
