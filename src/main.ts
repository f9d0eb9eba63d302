/**
 * The composition root: the one place that picks adapters from configuration and wires them into
 * the use cases and roles, once, in dependency order. Nothing else constructs a database, a queue
 * runtime or a metrics registry, and nothing is re-wired after construction.
 */
import { TokenRepository } from './auth/token-repository.js';
import { TokenService } from './auth/token-service.js';
import { applyCatalog, type ApplyResult } from './catalog/apply-catalog.js';
import { CatalogRepository } from './catalog/catalog-repository.js';
import { RegionRepository } from './catalog/region-repository.js';
import type { Config } from './config/env-schema.js';
import { loadDemoData, type DemoLoadResult } from './demo/load-demo-data.js';
import { StateRepository } from './demo/state-repository.js';
import { BacktestService } from './evaluation/backtest-service.js';
import { EvaluationRepository } from './evaluation/evaluation-repository.js';
import { EvaluationService } from './evaluation/evaluation-service.js';
import { LatestEvaluation } from './evaluation/latest-evaluation.js';
import { RunNoticeListener } from './evaluation/run-notice-listener.js';
import { FeedMetrics } from './feeds/feed-metrics.js';
import { FeedRegistry } from './feeds/feed-registry.js';
import { FeedRunRepository } from './feeds/feed-run-repository.js';
import { FeedRunner } from './feeds/feed-runner.js';
import { buildHttpServer, type Readiness } from './http/http-server.js';
import type { Logger } from './logging/logger.js';
import { demoDataFile } from './project-root.js';
import { apiRoutes } from './roles/api-routes.js';
import { KpiExposition } from './metrics/kpi-exposition.js';
import { KpiRefresher } from './metrics/kpi-refresher.js';
import { createPipelineMetrics, type PipelineMetrics } from './metrics/pipeline-metrics.js';
import { BatchIngestor } from './observations/batch-ingestor.js';
import { IngestCatalogCache } from './observations/ingest-catalog-cache.js';
import { IngestRepository } from './observations/ingest-repository.js';
import type { Ingestor } from './observations/ingestor.js';
import { BatchRepository } from './observations/batch-repository.js';
import { ObservationQueryRepository } from './observations/observation-query-repository.js';
import type { JobRuntime } from './queue/job-runtime.js';
import { ApiRole } from './roles/api-role.js';
import { Heartbeat } from './roles/heartbeat.js';
import type { Role, RoleName } from './roles/role.js';
import { ReportRepository } from './reports/report-repository.js';
import { ReportService } from './reports/report-service.js';
import { ScorecardRepository } from './scorecard/scorecard-repository.js';
import { ScorecardService } from './scorecard/scorecard-service.js';
import { createDatabase, redactUrl, type Database } from './storage/database.js';
import { migrateToLatest } from './storage/migrator.js';
import { enableReaderLogin } from './storage/reader-role.js';

/** The use cases over one database: what the roles serve and what one-shot commands call. */
export interface PacerServices {
  readonly config: Config;
  readonly logger: Logger;
  /** The stored catalog: apply, plan, its time zone and indicators. */
  readonly catalog: CatalogRepository;
  readonly regions: RegionRepository;
  /** The one ingest path (pushes, `pacer push`, feeds, demo data). */
  readonly ingestor: Ingestor;
  /** The indicators and regions ingestion validates against, cached per catalog version. */
  readonly ingestCatalog: IngestCatalogCache;
  readonly tokens: TokenService;
  /** The read side: stored observations page by page, and the audit trail of ingest batches. */
  readonly observations: { readonly reader: ObservationQueryRepository; readonly batches: BatchRepository };
  readonly evaluation: EvaluationService;
  /** Targets evaluated as of any date, for the web scorecard, its JSON API and `pacer status`. */
  readonly scorecard: ScorecardService;
  /** The scorecard as reports people send (XLSX, CSV, Markdown): `pacer report`, `GET /reports/...`. */
  readonly reports: ReportService;
  /** "Were the warnings right?": the evaluation replayed as known at each step, scored against the outcomes. */
  readonly backtest: BacktestService;
  readonly feeds: { readonly registry: FeedRegistry; readonly store: FeedRunRepository; readonly runner: FeedRunner };
  readonly metrics: PipelineMetrics;
}

/** The roles this process plays, each typed; started worker, api, scheduler and stopped in reverse. */
export interface PacerRoles {
  readonly api?: ApiRole;
  readonly worker?: Role;
  readonly scheduler?: Role;
}

/** An open Pacer: its services, its roles, and how to prepare, start and stop it. */
export interface Pacer {
  readonly services: PacerServices;
  readonly roles: PacerRoles;
  /** What `/readyz` and the heartbeat report: the database answers, the catalog is applied, jobs can run. */
  readiness(): Promise<Readiness>;
  /** Applies the catalog, loads the feeds of `jobs/`, and on a fresh database the demo figures. */
  prepare(): Promise<{ apply: ApplyResult; demo: DemoLoadResult }>;
  /** Whether a catalog was ever applied to this database (a fresh clone's is empty). */
  isEmpty(): Promise<boolean>;
  /** Set when a one-shot command reaches the embedded database through the `pacer start` that owns it. */
  readonly owner?: Database['owner'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface PacerOptions {
  /** The roles this process plays; none for a one-shot command. */
  roles?: readonly RoleName[];
  /** An open database to use instead of the configured one; its owner closes it (tests own theirs). */
  database?: Database;
}

/**
 * Opens the configured database (PostgreSQL or embedded PGlite), migrates it and wires Pacer for
 * `roles`. A process playing roles owns the embedded database and shares it with `pacer` commands
 * on a socket in its data directory; a one-shot command (no roles) finding it held goes through
 * that socket.
 */
export async function openPacer(config: Config, logger: Logger, options: PacerOptions = {}): Promise<Pacer> {
  const owned = !options.database;
  const oneShot = (options.roles ?? []).length === 0;
  const database =
    options.database ??
    (await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, viaOwner: oneShot }));
  const where = config.databaseUrl ? redactUrl(config.databaseUrl) : (database.owner?.endpoint ?? config.dataDir);
  if (owned) logger.info({ database: database.kind, where }, 'database open');
  try {
    const ran = await migrateToLatest(database.db);
    if (ran.length > 0) logger.info({ migrations: ran }, 'migrated');
    if (config.readerPassword && database.kind === 'postgres') {
      await enableReaderLogin(database.db, config.readerPassword, logger);
    }
    if (owned && !oneShot && database.share) {
      // Sharing is a convenience for commands run beside; a server that cannot offer it still serves.
      await database.share().then(
        (endpoint) => logger.info({ endpoint }, 'embedded database shared with pacer commands'),
        (error: unknown) => logger.warn({ err: error }, 'could not share the embedded database with pacer commands'),
      );
    }
    return await composePacer(config, logger, { database, owned }, options.roles ?? []);
  } catch (error) {
    if (owned) await database.close();
    throw error;
  }
}

/** Wires every part over an open, migrated database, in dependency order. */
async function composePacer(
  config: Config,
  logger: Logger,
  { database, owned }: { database: Database; owned: boolean },
  roleNames: readonly RoleName[],
): Promise<Pacer> {
  const db = database.db;
  const pool = database.pool;
  const metrics = createPipelineMetrics({
    poolStats: () => (pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined),
  });
  const kpi = new KpiExposition({ maxSeries: config.metricsMaxSeries, metrics });
  const evaluationStore = new EvaluationRepository(db, {
    retentionDays: config.evaluationRetentionDays,
    // Processes on PostgreSQL may evaluate at once; PGlite is one process, whose trigger runs one at a time.
    exclusive: database.kind === 'postgres',
  });
  // The newest evaluation: computed here or loaded from a worker's run; /metrics and the scorecard's "now" read it.
  const latest = new LatestEvaluation();
  // Only an api process serves /metrics: a worker of its own does not spend its time rendering it.
  if (roleNames.includes('api'))
    latest.subscribe(
      (snapshot) =>
        void kpi
          .update(snapshot)
          .catch((error: unknown) => logger.error({ err: error }, 'could not render the KPI exposition')),
    );
  const evaluation = new EvaluationService({
    store: evaluationStore,
    logger,
    metrics,
    forecastWindowMs: config.forecastWindowDays * 86_400_000,
    onSnapshot: (snapshot) => latest.publish(snapshot),
  });
  // The scheduling choice, made once: BullMQ on Redis, or cron in this process. Its modules load
  // only when picked, so a process that never uses them does not load them.
  const runtimeOptions = { roles: roleNames, evaluation, evaluationCron: config.feeds.evaluationCron, logger };
  const runtime: JobRuntime = config.redisUrl
    ? (await import('./queue/bullmq-runtime.js')).bullmqRuntime({
        ...runtimeOptions,
        redisUrl: config.redisUrl,
        queue: { prefix: config.feeds.queuePrefix, name: 'pacer' },
        worker: {
          concurrency: config.feeds.concurrency,
          lockDurationMs: config.feeds.lockDurationMs,
          shutdownGraceMs: config.feeds.shutdownGraceMs,
        },
        reconcileMs: config.feeds.reconcileMs,
      })
    : (await import('./queue/in-process-runtime.js')).inProcessRuntime({
        ...runtimeOptions,
        shutdownGraceMs: config.feeds.shutdownGraceMs,
      });

  const ingestStore = new IngestRepository(database);
  const ingestCatalog = new IngestCatalogCache(ingestStore);
  const ingestor = new BatchIngestor({
    store: ingestStore,
    catalog: ingestCatalog,
    metrics,
    logger,
    evaluation: runtime.evaluationTrigger,
  });
  const catalog = new CatalogRepository(db);
  const feedStore = new FeedRunRepository(db);
  const registry = new FeedRegistry(config.feeds.jobsDir, async () => ({
    defaultTimeZone: await catalog.defaultTimeZone(),
    // One small query, not the ingest catalog (13k regions): loading that early raised the api's peak memory by ~45 MB.
    indicatorIds: await catalog.indicatorIds(),
  }));
  const scorecardStore = new ScorecardRepository(db);
  const scorecard = new ScorecardService({
    evaluation,
    regions: evaluationStore,
    store: scorecardStore,
    // Only an api process keeps its newest evaluation current (published or loaded) and serves "now" from it.
    latest: roleNames.includes('api') ? latest : undefined,
  });
  const services: PacerServices = {
    config,
    logger,
    catalog,
    regions: new RegionRepository(db),
    ingestor,
    ingestCatalog,
    tokens: new TokenService(new TokenRepository(db), {
      bootstrapAdminToken: config.adminToken,
      onTouchError: (err) => logger.warn({ err }, 'could not record token use'),
    }),
    observations: { reader: new ObservationQueryRepository(db), batches: new BatchRepository(db) },
    evaluation,
    scorecard,
    reports: new ReportService({ scorecard, store: new ReportRepository(db) }),
    backtest: new BacktestService({
      evaluation,
      store: evaluationStore,
      directives: () => scorecardStore.directives(),
    }),
    feeds: {
      registry,
      store: feedStore,
      runner: new FeedRunner({ feeds: registry, store: feedStore, ingestor, logger }),
    },
    metrics,
  };

  let catalogApplied = false;
  const readiness = async (): Promise<Readiness> => {
    const databaseCheck = await database.ping().then(
      () => ({ ok: true }),
      (error: unknown) => ({ ok: false, detail: (error as Error).message }),
    );
    const catalogCheck = catalogApplied ? { ok: true } : { ok: false, detail: 'catalog not applied yet' };
    // And the runtime's own: Redis and the job schedulers, for the roles that need them.
    const checks = { database: databaseCheck, catalog: catalogCheck, ...(await runtime.checks()) };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };

  const jobDeps = async () => ({
    feeds: registry,
    store: feedStore,
    runner: services.feeds.runner,
    evaluation,
    timezone: await catalog.defaultTimeZone(),
  });
  const feedMetrics = new FeedMetrics({ store: feedStore, feeds: () => registry.all() });
  const buildRoles = async (): Promise<PacerRoles> => ({
    api: roleNames.includes('api')
      ? new ApiRole(
          await buildHttpServer({
            logger,
            readiness,
            metrics,
            routes: [await apiRoutes(services, kpi, feedMetrics)],
          }),
          {
            host: config.host,
            port: config.port,
            logger,
            // Evaluations may run in workers elsewhere: the api keeps its newest evaluation on the newest stored
            // run, told of each by a PostgreSQL notification (PGlite is one process: its own runs are published).
            background: new KpiRefresher({
              store: evaluationStore,
              evaluation,
              latest,
              logger,
              intervalMs: config.metricsRefreshSeconds * 1000,
              notices: pool ? new RunNoticeListener({ pool, logger }) : undefined,
            }),
          },
        )
      : undefined,
    worker: roleNames.includes('worker') ? runtime.workerRole(await jobDeps()) : undefined,
    scheduler: roleNames.includes('scheduler') ? runtime.schedulerRole(await jobDeps()) : undefined,
  });
  // A role that cannot be built (an api port's server, the catalog's zone) must not leave Redis open.
  const roles = await buildRoles().catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  // The worker first: its evaluation at start is done before the api answers, so a process that
  // plays both never serves /metrics without the targets; the scheduler last, once jobs can run.
  const ordered = [roles.worker, roles.api, roles.scheduler].filter((r): r is Role => r !== undefined);
  const heartbeat = config.heartbeatFile
    ? new Heartbeat({
        file: config.heartbeatFile,
        everyMs: 10_000,
        logger,
        healthy: async () => (await readiness()).ready,
      })
    : undefined;
  const started: Role[] = [];
  let stopped = false;

  return {
    services,
    roles,
    readiness,
    async prepare() {
      const apply = await applyCatalog(catalog, config.catalogDir);
      catalogApplied = true;
      if (apply.changed) ingestCatalog.invalidate();
      logger.info(
        { catalog: config.catalogDir, changed: apply.changed },
        apply.changed ? 'catalog applied' : 'catalog unchanged',
      );
      // After the catalog: feeds are checked against its indicators and take its time zone.
      const feeds = await registry.load();
      logger.info({ jobs: registry.dir, feeds: feeds.map((f) => f.id) }, 'feeds loaded');
      const demo = config.demoData
        ? await loadDemo(ingestor, new StateRepository(db), await catalog.defaultTimeZone())
        : { loaded: false as const };
      if (demo.loaded) logger.info({ rows: demo.rows, inserted: demo.inserted }, 'demo data loaded');
      return { apply, demo };
    },
    isEmpty: async () => (await catalog.lastApply()) === undefined,
    owner: database.owner,
    async start() {
      for (const role of ordered) {
        await role.start();
        started.push(role);
        // Stopped while this role was starting (a signal while Redis was unreachable): start nothing more.
        if (stopped) return;
      }
      heartbeat?.start();
    },
    async stop() {
      stopped = true;
      heartbeat?.stop();
      for (const role of started.splice(0).reverse()) {
        await role
          .stop()
          .catch((error: unknown) => logger.error({ err: error, role: role.name }, 'role did not stop cleanly'));
      }
      await runtime.close();
      if (owned) await database.close();
    },
  };
}

function loadDemo(ingestor: Ingestor, state: StateRepository, timezone: string): Promise<DemoLoadResult> {
  return loadDemoData(
    {
      ingestor,
      isLoaded: async () => (await state.get('demo_data')) !== undefined,
      markLoaded: async (info) => void (await state.setOnce('demo_data', info)),
      timezone,
    },
    demoDataFile,
  );
}

/**
 * `pacer start`: open, migrate, apply the catalog, load demo data once, start the roles. When
 * `signal` aborts before the roles are up (a role may wait on a Redis that never answers), what
 * started is stopped and the promise rejects with the signal's reason instead of waiting on.
 */
export async function runPacer(
  config: Config,
  logger: Logger,
  roles: readonly RoleName[],
  signal?: AbortSignal,
): Promise<Pacer> {
  const pacer = await openPacer(config, logger, { roles });
  try {
    signal?.throwIfAborted();
    const starting = pacer.prepare().then(() => pacer.start());
    if (signal) await untilAborted(starting, signal);
    else await starting;
  } catch (error) {
    await pacer.stop();
    throw error;
  }
  logger.info({ roles }, 'pacer started');
  return pacer;
}

/** `work`, or a rejection as soon as `signal` aborts (the work is left to settle on its own). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
