import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import { backtestDocument, backtestQuerySchema, backtestSchema } from './backtest-schema.js';
import type { BacktestService } from './backtest-service.js';

/** The path of the backtest's JSON API. */
export const backtestPath = '/v1/backtest';

/**
 * `GET /v1/backtest?from=&to=&every=`: the evaluation replayed as known at each step for every decided
 * target, scored against the outcomes (the document `pacer backtest --json` prints). A read like any other.
 */
export function backtestRoutes(deps: { backtest: BacktestService; openapi: OpenApiRegistry }): Route[] {
  const error = errorSchema(deps.openapi);
  return [
    defineRoute({
      method: 'get',
      path: backtestPath,
      summary: 'Were the warnings right? The evaluation replayed at each step and scored against the outcomes',
      description:
        'For every target achieved or missed, the evaluation as of each step (as known then): the share of steps ' +
        'whose status pointed at the real outcome, the lead time of the warnings of missed targets, the error of ' +
        'the projection against the value at the deadline by horizon, and the calibration of ' +
        '`attainment_probability` (Brier score and reliability table). Same as `pacer backtest --json`.',
      tags: ['scorecard'],
      access: 'read',
      query: backtestQuerySchema,
      responses: {
        200: { description: 'The backtest.', content: { 'application/json': backtestSchema } },
        400: { description: 'A bad date, step or range.', content: { 'application/json': error } },
      },
      handler: async ({ query }) => backtestDocument(await deps.backtest.run(query)),
    }),
  ];
}
