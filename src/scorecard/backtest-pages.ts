import { backtestDocument, backtestQuerySchema } from '../evaluation/backtest-schema.js';
import type { BacktestService } from '../evaluation/backtest-service.js';
import { defineRoute, type Route } from '../http/route.js';
import { renderBacktestPage } from './html/backtest-page.js';
import { ScorecardAssets } from './scorecard-assets.js';
import { pageErrorHandler, sendHtml } from './scorecard-pages.js';

/**
 * `/backtest`: "How reliable were the forecasts?", the data of `GET /v1/backtest` as a page with its
 * reliability chart. Not cached: each request replays the evaluation at every step, and asks for it rarely.
 */
export async function backtestPages(backtest: BacktestService): Promise<Route[]> {
  const assets = await ScorecardAssets.load();
  const assetUrl = assets.url.bind(assets);
  return [
    defineRoute({
      method: 'get',
      path: '/backtest',
      summary: 'How reliable were the forecasts?',
      tags: ['scorecard'],
      access: 'open',
      document: false,
      responses: { 200: { description: 'An HTML page.' } },
      query: backtestQuerySchema,
      onError: pageErrorHandler(assetUrl),
      handler: async ({ query, request, reply }) =>
        sendHtml(request, reply, 200, renderBacktestPage(backtestDocument(await backtest.run(query)), query, assetUrl)),
    }),
  ];
}
