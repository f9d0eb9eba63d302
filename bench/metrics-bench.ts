/**
 * /metrics at scale: 100k KPI series (3,321 communes × 30 indicators) served from Pacer's cached
 * exposition, against the same series held in plain prom-client Gauges and rendered by
 * `registry.metrics()`, both over HTTP from this process and scraped by curl (another process).
 *
 *   npm run bench:metrics [-- --regions 3321 --indicators 30 --scrapes 20]
 *
 * Prints the median scrape time of each, their ratio, and this process's event-loop delay p99
 * while it served Pacer's scrapes.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Gauge, Registry } from 'prom-client';
import type { EvaluationSnapshot } from '../src/evaluation/evaluation-service.js';
import { buildHttpServer } from '../src/http/http-server.js';
import { createLogger } from '../src/logging/logger.js';
import { KpiExposition } from '../src/metrics/kpi-exposition.js';
import { metricsRoutes } from '../src/metrics/metrics-routes.js';
import { createPipelineMetrics } from '../src/metrics/pipeline-metrics.js';

const { values } = parseArgs({
  options: {
    regions: { type: 'string', default: '3321' },
    indicators: { type: 'string', default: '30' },
    scrapes: { type: 'string', default: '20' },
  },
});
const regions = Number(values.regions);
const indicators = Number(values.indicators);
const scrapes = Number(values.scrapes);

const asOf = new Date();
const snapshot: EvaluationSnapshot = {
  runId: 1,
  asOf,
  results: [],
  indicators: Array.from({ length: indicators }, (_, i) => ({
    id: `indicator_${i}`,
    name: `Indicator ${i}`,
    unit: 'things',
    kind: 'cumulative',
    rollup: 'sum',
    updateIntervalSeconds: 86_400,
    monotone: 'increasing',
  })),
  indicatorValues: [],
};
for (let i = 0; i < indicators; i++) {
  for (let r = 0; r < regions; r++) {
    snapshot.indicatorValues.push({
      indicatorId: `indicator_${i}`,
      regionId: r,
      regionCode: String(r).padStart(5, '0'),
      regionName: `Xã Số ${r}`,
      level: 'commune',
      value: r * 7 + i,
      at: asOf.getTime() - r * 1000,
      coverage: 1,
    });
  }
}

const logger = createLogger({ level: 'silent', pretty: false });
const metrics = createPipelineMetrics();
const kpi = new KpiExposition({ maxSeries: 10_000_000, metrics });
const renderStart = performance.now();
await kpi.update(snapshot);
const renderMs = performance.now() - renderStart;

// The same series in plain prom-client gauges, the way an exporter without a cache holds them.
const plain = new Registry();
const value = new Gauge({
  name: 'kpi_indicator_value',
  help: 'value',
  labelNames: ['indicator', 'region', 'region_name', 'level'],
  registers: [plain],
});
const observed = new Gauge({
  name: 'kpi_indicator_observed_timestamp_seconds',
  help: 'observed',
  labelNames: ['indicator', 'region', 'region_name', 'level'],
  registers: [plain],
});
for (const v of snapshot.indicatorValues) {
  const labels = { indicator: v.indicatorId, region: v.regionCode, region_name: v.regionName, level: v.level };
  value.set(labels, v.value);
  observed.set(labels, v.at / 1000);
}

const app = await buildHttpServer({
  logger,
  readiness: async () => ({ ready: true, checks: {} }),
  routes: [
    metricsRoutes(metrics, kpi),
    async (a) => {
      a.get('/plain-metrics', async (_req, reply) =>
        reply.header('content-type', plain.contentType).send(await plain.metrics()),
      );
    },
  ],
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });

// curl runs as another process, asynchronously, so this process only serves.
function scrapeAsync(path: string, gzip = false): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{time_total} %{size_download}',
        ...(gzip ? ['-H', 'Accept-Encoding: gzip'] : []),
        `${address}${path}`,
      ],
      { encoding: 'utf8' },
      (error, stdout) => {
        if (error) return reject(error);
        const [seconds, bytes] = stdout.trim().split(' ');
        resolve({ ms: Number(seconds) * 1000, bytes: Number(bytes) });
      },
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await scrapeAsync('/metrics');
await scrapeAsync('/plain-metrics');

const ours: number[] = [];
const oursGzip: number[] = [];
const theirs: number[] = [];
let bytes = 0;
let gzipBytes = 0;
// Pacer's scrapes first, under the event-loop monitor, then prom-client's: the garbage of one
// side's scrapes must not land in the other's measurements.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
for (let i = 0; i < scrapes; i++) {
  const a = await scrapeAsync('/metrics');
  const g = await scrapeAsync('/metrics', true);
  ours.push(a.ms);
  oursGzip.push(g.ms);
  bytes = a.bytes;
  gzipBytes = g.bytes;
}
loop.disable();
for (let i = 0; i < scrapes; i++) theirs.push((await scrapeAsync('/plain-metrics')).ms);
await app.close();

const series = snapshot.indicatorValues.length * 2;
const m = median(ours);
const p = median(theirs);
console.log(
  `series: ${series} (${regions} regions x ${indicators} indicators x 2 families), ` +
    `exposition ${(bytes / 1048576).toFixed(1)} MiB, gzip ${(gzipBytes / 1048576).toFixed(1)} MiB, ` +
    `rendered once in ${renderMs.toFixed(0)} ms`,
);
console.log(
  `scrape /metrics (cached exposition): median ${m.toFixed(1)} ms of ${scrapes}, ` +
    `plain prom-client registry.metrics(): median ${p.toFixed(1)} ms, ratio ${(p / m).toFixed(1)}x faster`,
);
console.log(`scrape /metrics with Accept-Encoding gzip: median ${median(oursGzip).toFixed(1)} ms`);
console.log(
  `event-loop delay during /metrics scrapes: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, ` +
    `max ${(loop.max / 1e6).toFixed(1)} ms`,
);
