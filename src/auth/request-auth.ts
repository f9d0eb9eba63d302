import type { Access, Principal, TokenService } from './token-service.js';

/**
 * Whether reads (the routes declared with access `read`) need a token: `open` (the default) or `token` (reader or
 * better).
 */
export type ReadAuth = 'open' | 'token';

/** Checks a request's `Authorization` header for an operation; undefined for an open read. */
export type RequestAuthorizer = (authorization: string | undefined, access: Access) => Promise<Principal | undefined>;

/** The access check every route declaration's `access` goes through (see http/route.ts). */
export function requestAuthorizer(tokens: TokenService, readAuth: ReadAuth): RequestAuthorizer {
  return async (authorization, access) => {
    if (access === 'read' && readAuth === 'open') return undefined;
    return tokens.authorize(authorization, access);
  };
}
