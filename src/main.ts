/**
 * The composition root: the one place that picks adapters from configuration and wires them into
 * the use cases and roles. Nothing else constructs a database, a queue or a metrics registry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { fileURLToPath } from 'node:url';
import { applyCatalog, type ApplyResult } from './catalog/apply-catalog.js';
import type { Config } from './config/env-schema.js';
import { loadDemoData, type DemoLoadResult } from './demo/load-demo-data.js';
import { DebouncedEvaluationTrigger } from './evaluation/debounced-evaluation-trigger.js';
import { EvaluationService } from './evaluation/evaluation-service.js';
import { buildHttpServer, type Readiness } from './http/http-server.js';
import { runbookRoutes } from './http/runbook-routes.js';
import type { Logger } from './logging/logger.js';
import { KpiExposition } from './metrics/kpi-exposition.js';
import { KpiRefresher } from './metrics/kpi-refresher.js';
import { metricsRoutes } from './metrics/metrics-routes.js';
import { createPipelineMetrics, type PipelineMetrics } from './metrics/pipeline-metrics.js';
import { ApiRole } from './roles/api-role.js';
import { WorkerRole } from './roles/worker-role.js';
import { Heartbeat } from './roles/heartbeat.js';
import type { Role, RoleName } from './roles/role.js';
import { scorecardPages } from './scorecard/scorecard-pages.js';
import { scorecardRoutes } from './scorecard/scorecard-routes.js';
import { scorecardComponents, scorecardOperations } from './scorecard/scorecard-schema.js';
import { ScorecardService } from './scorecard/scorecard-service.js';
import { CatalogRepository } from './catalog/catalog-repository.js';
import { createDatabase, redactUrl, type Database } from './storage/database.js';
import { EvaluationRepository } from './evaluation/evaluation-repository.js';
import { migrateToLatest } from './storage/migrator.js';
import { enableReaderLogin } from './storage/reader-role.js';
import { BatchRepository } from './observations/batch-repository.js';
import { RegionRepository } from './catalog/region-repository.js';
import { ScorecardRepository } from './scorecard/scorecard-repository.js';
import { StateRepository } from './demo/state-repository.js';
import { readAuthHook, requestAuthorizer } from './auth/request-auth.js';
import { tokenRoutes } from './auth/token-routes.js';
import { TokenService } from './auth/token-service.js';
import { OpenApiRegistry, openApiRoutes } from './http/openapi-registry.js';
import { BatchIngestor } from './observations/batch-ingestor.js';
import { IngestCatalogCache } from './observations/ingest-catalog-cache.js';
import { ingestRoutes } from './observations/ingest-routes.js';
import type { Ingestor } from './observations/ingestor.js';
import type { ObservationReader } from './observations/observation-reader.js';
import { observationRoutes } from './observations/observation-routes.js';
import { IngestRepository } from './observations/ingest-repository.js';
import { ObservationQueryRepository } from './observations/observation-query-repository.js';
import { TokenRepository } from './auth/token-repository.js';
import { FeedMetrics } from './feeds/feed-metrics.js';
import { FeedRegistry } from './feeds/feed-registry.js';
import { feedRoutes } from './feeds/feed-routes.js';
import { FeedRunner } from './feeds/feed-runner.js';
import { FeedRunRepository } from './feeds/feed-run-repository.js';
// The queue adapters (BullMQ and ioredis, node-cron) are imported when configuration picks them:
// a process that never uses them does not load them.
import type { QueueSettings } from './queue/bullmq-scheduler-role.js';
import type { Redis } from 'ioredis';
import type { EvaluationTrigger } from './evaluation/evaluation-runner.js';

/** The project's root folder, where the shipped data lives. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const demoDataFile = path.join(projectRoot, 'data', 'scheme06', 'figures.csv');

/** An open Pacer: configuration, logger, database and the repositories over it. */
export interface Pacer {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly catalog: CatalogRepository;
  readonly regions: RegionRepository;
  readonly batches: BatchRepository;
  readonly state: StateRepository;
  readonly metrics: PipelineMetrics;
  readonly evaluationStore: EvaluationRepository;
  readonly evaluation: EvaluationService;
  /** The KPI part of /metrics, re-rendered after each evaluation. */
  readonly kpi: KpiExposition;
  /** Asks for an evaluation soon; ingestion calls it after each committed batch. */
  readonly evaluationTrigger: DebouncedEvaluationTrigger;
  /** Targets evaluated as of any date, for the web scorecard, its JSON API and `pacer status`. */
  readonly scorecard: ScorecardService;
  /** Set once the catalog in `config.catalogDir` has been applied by this process. */
  readonly status: { catalogApplied: boolean };
  readonly ingestion: Ingestion;
  readonly feeds: Feeds;
  /** Where "evaluate soon" goes after each committed batch: set by the roles this process plays (none: nothing asked). */
  afterIngest: EvaluationTrigger | undefined;
  /** The process's Redis connection (BullMQ), opened on first use when REDIS_URL is set; closed by close(). */
  redis(): Promise<Redis>;
  close(): Promise<void>;
}

/** Scheduled feeds (issue 5): the definitions of jobs/, the runs table, the runner, their metrics. */
export interface Feeds {
  readonly registry: FeedRegistry;
  readonly store: FeedRunRepository;
  readonly runner: FeedRunner;
  readonly metrics: FeedMetrics;
  readonly queue: QueueSettings;
}

/** The ingest path (pushes, `pacer push`, feeds, demo data), the catalog it validates against, API tokens, the read side. */
export interface Ingestion {
  readonly ingestor: Ingestor;
  readonly catalog: IngestCatalogCache;
  readonly tokens: TokenService;
  readonly reader: ObservationReader;
}

/** Opens the configured database (PostgreSQL or embedded PGlite) and migrates it. */
export async function openPacer(config: Config, logger: Logger, options: { schema?: string } = {}): Promise<Pacer> {
  const database = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir, schema: options.schema, logger });
  logger.info({ database: database.kind, where: config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir }, 'database open');
  try {
    const ran = await migrateToLatest(database.db);
    if (ran.length > 0) logger.info({ migrations: ran }, 'migrated');
    if (config.readerPassword && database.kind === 'postgres') await enableReaderLogin(database.db, config.readerPassword, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  const db = database.db;
  const metrics = createPipelineMetrics({
    poolStats: () => (database.pool ? { total: database.pool.totalCount, idle: database.pool.idleCount, waiting: database.pool.waitingCount } : undefined),
  });
  const kpi = new KpiExposition({ maxSeries: config.metricsMaxSeries, metrics });
  const evaluationStore = new EvaluationRepository(db, { retentionDays: config.evaluationRetentionDays });
  const evaluation = new EvaluationService({
    store: evaluationStore,
    logger,
    metrics,
    forecastWindowMs: config.forecastWindowDays * 86_400_000,
    onSnapshot: (snapshot) => void kpi.update(snapshot).catch((error: unknown) => logger.error({ err: error }, 'could not render the KPI exposition')),
  });
  const evaluationTrigger = new DebouncedEvaluationTrigger(evaluation, { delayMs: 2_000, logger });
  const status: Pacer['status'] = { catalogApplied: false };
  const ingestStore = new IngestRepository(database);
  const ingestCatalog = new IngestCatalogCache(ingestStore);
  const ingestion: Ingestion = {
    catalog: ingestCatalog,
    tokens: new TokenService(new TokenRepository(db), { bootstrapAdminToken: config.adminToken, onTouchError: (err) => logger.warn({ err }, 'could not record token use') }),
    reader: new ObservationQueryRepository(db),
    // Evaluating is the worker's job: the roles decide where the request goes (pacer.afterIngest).
    ingestor: new BatchIngestor({ store: ingestStore, catalog: ingestCatalog, metrics, logger, evaluation: { requestEvaluation: (reason) => pacer.afterIngest?.requestEvaluation(reason) } }),
  };
  const catalog = new CatalogRepository(db);
  const feedStore = new FeedRunRepository(db);
  const registry = new FeedRegistry(config.feeds.jobsDir, async () => ({
    defaultTimeZone: await catalog.defaultTimeZone(),
    // One small query, not the ingest catalog (13k regions): loading that early raised the api's peak memory by ~45 MB.
    indicatorIds: (await db.selectFrom('indicators').select('id').execute()).map((r) => r.id),
  }));
  const feeds: Feeds = {
    registry,
    store: feedStore,
    runner: new FeedRunner({ feeds: registry, store: feedStore, ingestor: ingestion.ingestor, logger }),
    metrics: new FeedMetrics({ store: feedStore, feeds: () => registry.all() }),
    queue: { prefix: config.feeds.queuePrefix, name: 'pacer' },
  };
  let redis: Promise<Redis> | undefined;
  const pacer: Pacer = {
    config,
    logger,
    database,
    catalog,
    regions: new RegionRepository(db),
    batches: new BatchRepository(db),
    state: new StateRepository(db),
    metrics,
    evaluationStore,
    evaluation,
    kpi,
    evaluationTrigger,
    scorecard: new ScorecardService({ evaluation, regions: evaluationStore, store: new ScorecardRepository(db) }),
    status,
    ingestion,
    feeds,
    afterIngest: undefined,
    redis: () => {
      const url = config.redisUrl;
      if (!url) return Promise.reject(new Error('REDIS_URL is not set'));
      return (redis ??= import('./queue/redis-connection.js').then(({ openRedis }) => openRedis(url)));
    },
    close: async () => {
      await evaluationTrigger.stop();
      const client = await redis;
      await client?.quit().catch(() => client.disconnect());
      await database.close();
    },
  };
  return pacer;
}


/** Applies the catalog and, on first start, loads the shipped demo figures. */
export async function preparePacer(pacer: Pacer): Promise<{ apply: ApplyResult; demo: DemoLoadResult }> {
  const apply = await applyCatalog(pacer.catalog, pacer.config.catalogDir);
  pacer.status.catalogApplied = true;
  if (apply.changed) pacer.ingestion.catalog.invalidate();
  // After the catalog: feeds are checked against its indicators and take its time zone.
  const feeds = await pacer.feeds.registry.load();
  pacer.logger.info({ jobs: pacer.feeds.registry.dir, feeds: feeds.map((f) => f.id) }, 'feeds loaded');
  pacer.logger.info({ catalog: pacer.config.catalogDir, changed: apply.changed }, apply.changed ? 'catalog applied' : 'catalog unchanged');
  let demo: DemoLoadResult = { loaded: false };
  if (pacer.config.demoData) {
    demo = await loadDemoData(
      {
        ingestor: pacer.ingestion.ingestor,
        isLoaded: async () => (await pacer.state.get('demo_data')) !== undefined,
        markLoaded: async (info) => void (await pacer.state.setOnce('demo_data', info)),
      },
      demoDataFile,
    );
    if (demo.loaded) pacer.logger.info({ rows: demo.rows, inserted: demo.inserted }, 'demo data loaded');
  }
  return { apply, demo };
}

export async function readiness(pacer: Pacer): Promise<Readiness> {
  const database = await pacer.database.ping().then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, detail: (error as Error).message }),
  );
  const catalog = pacer.status.catalogApplied ? { ok: true } : { ok: false, detail: 'catalog not applied yet' };
  return { ready: database.ok && catalog.ok, checks: { database, catalog } };
}

/** Builds the roles this process plays. */
export async function createRoles(pacer: Pacer, names: RoleName[]): Promise<Role[]> {
  const roles: Role[] = [];
  const { config } = pacer;
  // Every feature's routes describe themselves here; GET /openapi.json serves the result.
  const openapi = new OpenApiRegistry({ title: 'Pacer API', version: packageVersion(), description: 'Push indicator observations, read them and the evaluated targets back, manage API tokens.' });
  for (const [name, schema] of Object.entries(scorecardComponents)) openapi.component(name, schema);
  for (const operation of scorecardOperations) openapi.operation(operation);
  for (const name of names) {
    if (name === 'api') {
      const server = await buildHttpServer({ logger: pacer.logger, readiness: () => readiness(pacer), metrics: pacer.metrics, routes: [...apiRoutes(pacer, openapi), metricsRoutes(pacer.metrics, pacer.kpi, [() => pacer.feeds.metrics.render()]), runbookRoutes(), scorecardRoutes(pacer.scorecard), scorecardPages(pacer.scorecard)] });
      const refresher = new KpiRefresher({ store: pacer.evaluationStore, evaluation: pacer.evaluation, exposition: pacer.kpi, logger: pacer.logger, intervalMs: pacer.config.metricsRefreshSeconds * 1000 });
      roles.push(new ApiRole(server, { host: pacer.config.host, port: pacer.config.port, logger: pacer.logger, background: refresher }));
    } else if (name === 'worker') {
      pacer.afterIngest = pacer.evaluationTrigger;
      if (config.redisUrl) {
        const settings = { concurrency: config.feeds.concurrency, lockDurationMs: config.feeds.lockDurationMs, shutdownGraceMs: config.feeds.shutdownGraceMs };
        const { BullmqWorkerRole } = await import('./queue/bullmq-worker-role.js');
        roles.push(new BullmqWorkerRole({ redis: await pacer.redis(), queue: pacer.feeds.queue, runner: pacer.feeds.runner, evaluation: pacer.evaluation, settings, logger: pacer.logger }));
      } else {
        roles.push(new WorkerRole({ evaluation: pacer.evaluation, logger: pacer.logger }));
      }
    } else if (name === 'scheduler') {
      const timezone = await pacer.catalog.defaultTimeZone();
      if (config.redisUrl) {
        const { BullmqSchedulerRole } = await import('./queue/bullmq-scheduler-role.js');
        roles.push(new BullmqSchedulerRole({ redis: await pacer.redis(), queue: pacer.feeds.queue, feeds: pacer.feeds.registry, store: pacer.feeds.store, evaluationCron: config.feeds.evaluationCron, timezone, logger: pacer.logger }));
      } else {
        // Without Redis this process is the only runner: it fires the feeds and runs them itself.
        pacer.afterIngest = pacer.evaluationTrigger;
        const { InProcessSchedulerRole } = await import('./queue/in-process-scheduler-role.js');
        roles.push(new InProcessSchedulerRole({ feeds: pacer.feeds.registry, runner: pacer.feeds.runner, store: pacer.feeds.store, evaluation: pacer.evaluationTrigger, evaluationCron: config.feeds.evaluationCron, timezone, shutdownGraceMs: config.feeds.shutdownGraceMs, logger: pacer.logger }));
      }
    }
  }
  // An api-only process with Redis asks the workers for the evaluation (one job for a burst of batches).
  if (!pacer.afterIngest && config.redisUrl && names.includes('api')) {
    const { QueueEvaluationTrigger } = await import('./queue/queue-evaluation-trigger.js');
    pacer.afterIngest = new QueueEvaluationTrigger({ redis: await pacer.redis(), queue: pacer.feeds.queue, logger: pacer.logger });
  }
  return roles;
}

/** The ingest, read and token APIs (issue 3), registered in `openapi`, which they also serve. */
export function apiRoutes(pacer: Pacer, openapi: OpenApiRegistry): FastifyPluginAsync[] {
  const { ingestion, config } = pacer;
  const authorize = requestAuthorizer(ingestion.tokens, config.readAuth);
  return [
    readAuthHook(authorize),
    ingestRoutes({ ingestor: ingestion.ingestor, batches: pacer.batches, authorize, openapi, maxBodyBytes: config.ingest.maxBodyBytes, maxConcurrentIngests: config.ingest.concurrency }),
    observationRoutes({ reader: ingestion.reader, catalog: ingestion.catalog, openapi }),
    tokenRoutes({ tokens: ingestion.tokens, authorize, openapi, indicatorIds: async () => (await ingestion.catalog.current()).indicators.map((i) => i.id) }),
    feedRoutes({ feeds: pacer.feeds.registry, store: pacer.feeds.store, openapi }),
    openApiRoutes(openapi),
  ];
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A started process: its roles, and how to stop it all in order. */
export interface RunningPacer {
  pacer: Pacer;
  roles: Role[];
  stop(): Promise<void>;
}

/** `pacer start`: open, migrate, apply the catalog, load demo data once, start the roles. */
export async function runPacer(config: Config, logger: Logger, names: RoleName[]): Promise<RunningPacer> {
  const pacer = await openPacer(config, logger);
  const roles: Role[] = [];
  const heartbeat = config.heartbeatFile
    ? new Heartbeat({ file: config.heartbeatFile, everyMs: 10_000, logger, healthy: async () => (await readiness(pacer)).ready && (!config.redisUrl || (await pacer.redis()).status === 'ready') })
    : undefined;
  const stop = async () => {
    heartbeat?.stop();
    for (const role of [...roles].reverse()) {
      await role.stop().catch((error: unknown) => logger.error({ err: error, role: role.name }, 'role did not stop cleanly'));
    }
    await pacer.close();
  };
  try {
    await preparePacer(pacer);
    for (const role of await createRoles(pacer, names)) {
      await role.start();
      roles.push(role);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  heartbeat?.start();
  logger.info({ roles: names }, 'pacer started');
  return { pacer, roles, stop };
}
