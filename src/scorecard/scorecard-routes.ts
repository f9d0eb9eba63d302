import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import { InputError } from '../errors/pacer-error.js';
import { targetListQuerySchema, targetParamsSchema, targetQuerySchema } from './scorecard-schema.js';
import type { ScorecardService } from './scorecard-service.js';

/** Parses a request part with its schema; a mismatch is a 400 naming each parameter. */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'path'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.filter((p) => typeof p === 'string').join('.') || where;
    return { code: 'invalid_request', field, message: `${where} ${field}: ${issue.message}` };
  });
  throw new InputError(issues.map((i) => i.message).join('; '), issues, { code: 'invalid_request' });
}

/**
 * `GET /v1/targets` and `GET /v1/targets/{id}`: the scorecard as JSON, evaluated on request as of
 * `?at=` (default now). Open to read, like the pages. Described for OpenAPI in `scorecard-schema.ts`.
 */
export function scorecardRoutes(scorecard: ScorecardService): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/targets', async (request) => scorecard.list(parseRequestPart(targetListQuerySchema, request.query, 'query')));

    app.get('/v1/targets/:id', async (request) => {
      const { id } = parseRequestPart(targetParamsSchema, request.params, 'path');
      const { at } = parseRequestPart(targetQuerySchema, request.query, 'query');
      return scorecard.detail(id, at);
    });
  };
}
