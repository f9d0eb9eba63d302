import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { labels as l, pacerMetrics as n } from '../conventions.js';

/**
 * The pipeline's own metrics (how Pacer itself is doing), on a registry the wiring creates and
 * injects: no global registry, so tests and several instances never share series. The KPI
 * families (`kpi_*`, how the targets are doing) are rendered from evaluations, not held here.
 */
export interface PipelineMetrics {
  readonly registry: Registry;
  /** Rows per ingest outcome: inserted, updated, unchanged, rejected. */
  readonly ingestRows: Counter<'source' | 'outcome'>;
  readonly ingestBatches: Counter<'source' | 'status'>;
  readonly ingestBatchDuration: Histogram<'source'>;
  /** Data-quality warnings raised by committed batches (values stored, but flagged), by indicator and code. */
  readonly observationWarnings: Counter<'indicator' | 'code'>;
  readonly evaluationDuration: Histogram;
  readonly evaluationRuns: Counter<'outcome'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route'>;
  /** KPI series in the current exposition, and series left out by the cap. */
  readonly kpiSeries: Gauge;
  readonly kpiSeriesDropped: Gauge;
}

export function createPipelineMetrics(
  options: {
    defaultMetrics?: boolean;
    poolStats?: () => { total: number; idle: number; waiting: number } | undefined;
  } = {},
): PipelineMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // These three are gauges named like counters (promtool rejects them); the per-type
    // nodejs_active_handles / _requests / _resources gauges already carry the same numbers.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      registry.removeSingleMetric(name);
  }
  const registers = [registry];

  if (options.poolStats) {
    const stats = options.poolStats;
    new Gauge({
      name: n.dbPoolConnections,
      help: 'PostgreSQL pool connections by state (total, idle, waiting clients).',
      labelNames: [l.state],
      registers,
      collect() {
        const s = stats();
        if (!s) return;
        this.set({ [l.state]: 'total' }, s.total);
        this.set({ [l.state]: 'idle' }, s.idle);
        this.set({ [l.state]: 'waiting' }, s.waiting);
      },
    });
  }

  return {
    registry,
    ingestRows: new Counter({
      name: n.ingestRowsTotal,
      help: 'Observation rows ingested, by source and outcome (inserted, updated, unchanged, rejected).',
      labelNames: [l.source, l.outcome],
      registers,
    }),
    ingestBatches: new Counter({
      name: n.ingestBatchesTotal,
      help: 'Ingest batches, by source and status (committed, rejected, failed, replayed).',
      labelNames: [l.source, l.status],
      registers,
    }),
    ingestBatchDuration: new Histogram({
      name: n.ingestBatchDurationSeconds,
      help: 'Time to validate and write one ingest batch.',
      labelNames: [l.source],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    observationWarnings: new Counter({
      name: n.observationWarningsTotal,
      help: 'Data-quality warnings on pushed values (stored, but flagged), by indicator and code (decrease, jump).',
      labelNames: [l.indicator, l.code],
      registers,
    }),
    evaluationDuration: new Histogram({
      name: n.evaluationDurationSeconds,
      help: 'Time to evaluate every target once.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    evaluationRuns: new Counter({
      name: n.evaluationRunsTotal,
      help: 'Evaluation runs, by outcome (ok, failed).',
      labelNames: [l.outcome],
      registers,
    }),
    httpRequests: new Counter({
      name: n.httpRequestsTotal,
      help: 'HTTP requests served, by method, route and status.',
      labelNames: [l.method, l.route, l.status],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: n.httpRequestDurationSeconds,
      help: 'HTTP request duration, by method and route.',
      labelNames: [l.method, l.route],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    kpiSeries: new Gauge({ name: n.kpiSeries, help: 'KPI series in the current /metrics exposition.', registers }),
    kpiSeriesDropped: new Gauge({
      name: n.kpiSeriesDropped,
      help: 'KPI series left out of the current exposition by the series cap (PACER_METRICS_MAX_SERIES).',
      registers,
    }),
  };
}
