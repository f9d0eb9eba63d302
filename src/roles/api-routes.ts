import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { requestAuthorizer } from '../auth/request-auth.js';
import { tokenRoutes } from '../auth/token-routes.js';
import { FeedMetrics } from '../feeds/feed-metrics.js';
import { backtestRoutes } from '../evaluation/backtest-routes.js';
import { feedRoutes } from '../feeds/feed-routes.js';
import { OpenApiRegistry, openApiRoute } from '../http/openapi-registry.js';
import { routesPlugin } from '../http/route.js';
import { runbookRoutes } from '../http/runbook-routes.js';
import type { PacerServices } from '../main.js';
import { projectRoot } from '../project-root.js';
import type { KpiExposition } from '../metrics/kpi-exposition.js';
import { metricsRoutes } from '../metrics/metrics-routes.js';
import { ingestRoutes } from '../observations/ingest-routes.js';
import { observationRoutes } from '../observations/observation-routes.js';
import { reportRoutes } from '../reports/report-routes.js';
import { backtestPages } from '../scorecard/backtest-pages.js';
import { scorecardPages } from '../scorecard/scorecard-pages.js';
import { scorecardRoutes } from '../scorecard/scorecard-routes.js';
import { scorecardComponents } from '../scorecard/scorecard-schema.js';

/**
 * Every route the api role serves, each declared once (path, access, schemas, handler): one plugin
 * that registers them with their access checks, and their operations described in one OpenAPI
 * document, which it also serves at `GET /openapi.json`.
 */
export async function apiRoutes(
  s: PacerServices,
  kpi: KpiExposition,
  feedMetrics: FeedMetrics,
): Promise<FastifyPluginAsync> {
  const { config } = s;
  const openapi = new OpenApiRegistry({
    title: 'Pacer API',
    version: packageVersion(),
    description: 'Push indicator observations, read them and the evaluated targets back, manage API tokens.',
  });
  const authorize = requestAuthorizer(s.tokens, config.readAuth);
  // The scorecard's components first, its routes (which add Error) after the others: the published document keeps its
  // order.
  for (const [name, schema] of Object.entries(scorecardComponents)) openapi.component(name, schema);
  const routes = [
    ...ingestRoutes({
      ingestor: s.ingestor,
      batches: s.observations.batches,
      openapi,
      maxBodyBytes: config.ingest.maxBodyBytes,
      maxConcurrentIngests: config.ingest.concurrency,
      maxIngestsPerToken: config.ingest.perTokenConcurrency,
      ingestWait: { maxWaiting: config.ingest.concurrency, maxWaitMs: config.ingest.queueWaitMs },
      bodyIdleTimeoutMs: config.ingest.bodyIdleTimeoutMs,
      bodyMaxMs: config.ingest.bodyMaxMs,
    }),
    ...observationRoutes({ reader: s.observations.reader, catalog: s.ingestCatalog, openapi }),
    ...tokenRoutes({ tokens: s.tokens, openapi, indicatorIds: () => s.catalog.indicatorIds() }),
    ...feedRoutes({ feeds: s.feeds.registry, store: s.feeds.store, openapi }),
    ...scorecardRoutes({ scorecard: s.scorecard, openapi }),
    ...reportRoutes({ reports: s.reports, openapi }),
    ...backtestRoutes({ backtest: s.backtest, openapi }),
    ...(await scorecardPages(s.scorecard, undefined, config.language)),
    ...(await backtestPages(s.backtest)),
    ...metricsRoutes(s.metrics, kpi, [() => feedMetrics.render()]),
    ...runbookRoutes(),
    openApiRoute(openapi),
  ];
  return routesPlugin(routes, { authorize, openapi });
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
