import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import {
  scorecardComponents,
  targetDetailSchema,
  targetListQuerySchema,
  targetListSchema,
  targetParamsSchema,
  targetQuerySchema,
} from './scorecard-schema.js';
import type { ScorecardService } from './scorecard-service.js';

/** The paths of the scorecard's JSON API, for its client (`pacer status --url`). */
export const scorecardPaths = { targets: '/v1/targets', target: '/v1/targets/{id}' } as const;

/**
 * `GET /v1/targets` and `GET /v1/targets/{id}`: the scorecard as JSON, evaluated on request as of
 * `?at=` (default now) as known at `?known_at=` (default now, with every correction). Open to read
 * unless the deployment requires tokens for reads, like every read. Its named schemas become
 * components of `openapi`.
 */
export function scorecardRoutes(deps: { scorecard: ScorecardService; openapi: OpenApiRegistry }): Route[] {
  for (const [name, schema] of Object.entries(scorecardComponents)) deps.openapi.component(name, schema);
  const error = errorSchema(deps.openapi);
  const list = defineRoute({
    method: 'get',
    path: scorecardPaths.targets,
    summary: 'Every target evaluated as of a date, worst first',
    description:
      'The data of the scorecard page `/`. Evaluated on request (nothing is stored), with the same semantics as ' +
      '`pacer evaluate --at --known-at`.',
    tags: ['scorecard'],
    access: 'read',
    query: targetListQuerySchema,
    responses: {
      200: {
        description: 'The targets, filtered, worst first; counts and owners before filtering.',
        content: { 'application/json': targetListSchema },
      },
      400: {
        description:
          'A bad `at` or `known_at` date (`known_at` in the future: `future_known_at`), an `at` before the directive ' +
          'was issued, or an unknown status.',
        content: { 'application/json': error },
      },
    },
    handler: ({ query }) => deps.scorecard.list(query),
  });
  const detail = defineRoute({
    method: 'get',
    path: scorecardPaths.target,
    summary:
      'One target evaluated as of a date, with its series, pace and forecast lines, status history and regional ' +
      'breakdown',
    description: 'The data of the target page `/targets/{id}`.',
    tags: ['scorecard'],
    access: 'read',
    params: targetParamsSchema,
    query: targetQuerySchema,
    responses: {
      200: { description: 'The target.', content: { 'application/json': targetDetailSchema } },
      400: {
        description:
          'A bad `at` or `known_at` date (`known_at` in the future: `future_known_at`), or an `at` before the ' +
          'directive was issued.',
        content: { 'application/json': error },
      },
      404: { description: 'No target with this id.', content: { 'application/json': error } },
    },
    handler: ({ params: { id }, query: { at, known_at, lang } }) => deps.scorecard.detail(id, at, known_at, lang),
  });
  return [list, detail];
}
