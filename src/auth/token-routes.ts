import { z } from 'zod';
import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import type { TokenService } from './token-service.js';
import { roles, type TokenRecord } from './token-store.js';

export interface TokenRoutesDeps {
  tokens: TokenService;
  openapi: OpenApiRegistry;
  /** Known indicator ids, to warn about scope patterns that match none. */
  indicatorIds: () => Promise<string[]>;
}

/** The paths of token management, for its client (`pacer token`). */
export const tokenPaths = { tokens: '/v1/tokens', token: '/v1/tokens/{id}' } as const;

export const tokenRequestSchema = z.object({
  feed: z
    .string()
    .describe('The feed (team or system) the token writes for; its batches are recorded under this name.'),
  role: z.enum(roles),
  indicators: z
    .array(z.string())
    .optional()
    .describe('Writers only: indicator ids or patterns with * (vneid_*). Absent: every indicator.'),
});

/**
 * `POST /v1/tokens`, `GET /v1/tokens`, `DELETE /v1/tokens/{id}` for admins: how `pacer token`
 * manages tokens through a running server (the embedded database is locked by that server).
 */
export function tokenRoutes(deps: TokenRoutesDeps): Route[] {
  const registry = deps.openapi;
  const error = errorSchema(registry);
  const info = registry.component(
    'Token',
    z.object({
      id: z.number().int(),
      feed: z.string(),
      role: z.enum(roles),
      indicators: z.array(z.string()).nullable(),
      prefix: z.string().describe('The first characters of the token.'),
      created_at: z.string(),
      last_used_at: z.string().nullable(),
      revoked_at: z.string().nullable(),
    }),
  );
  const idParams = z.object({ id: z.coerce.number().int().positive() });
  const create = defineRoute({
    method: 'post',
    path: tokenPaths.tokens,
    summary: 'Create an API token (shown once, stored as a hash)',
    tags: ['tokens'],
    access: 'admin',
    body: { content: { 'application/json': tokenRequestSchema } },
    responses: {
      201: {
        description: 'The token; `token` is not shown again.',
        content: {
          'application/json': z.object({
            token: z.string(),
            info,
            unmatched: z.array(z.string()).describe('Patterns that match no catalog indicator.'),
          }),
        },
      },
      400: { description: 'An invalid feed, role or scope.', content: { 'application/json': error } },
    },
    handler: async ({ body, reply }) => {
      const created = await deps.tokens.create(body, await deps.indicatorIds());
      return reply
        .status(201)
        .send({ token: created.token, info: tokenView(created.record), unmatched: created.unmatched });
    },
  });
  const list = defineRoute({
    method: 'get',
    path: tokenPaths.tokens,
    summary: 'List API tokens (never the tokens themselves)',
    tags: ['tokens'],
    access: 'admin',
    responses: {
      200: { description: 'Every token.', content: { 'application/json': z.object({ items: z.array(info) }) } },
    },
    handler: async () => ({ items: (await deps.tokens.list()).map(tokenView) }),
  });
  const revoke = defineRoute({
    method: 'delete',
    path: tokenPaths.token,
    summary: 'Revoke an API token',
    tags: ['tokens'],
    access: 'admin',
    params: idParams,
    responses: {
      200: { description: 'The revoked token.', content: { 'application/json': info } },
      404: { description: 'No such token.', content: { 'application/json': error } },
    },
    handler: async ({ params: { id } }) => tokenView(await deps.tokens.revoke(id)),
  });
  return [create, list, revoke];
}

export function tokenView(t: TokenRecord) {
  return {
    id: t.id,
    feed: t.feed,
    role: t.role,
    indicators: t.indicators,
    prefix: t.prefix,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}
