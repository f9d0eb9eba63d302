import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { defineRoute, type Route } from '../http/route.js';
import type { KpiExposition } from './kpi-exposition.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const gzip = promisify(gzipCallback);

/**
 * `GET /metrics`: the cached KPI exposition followed by prom-client's pipeline metrics. With
 * `Accept-Encoding: gzip`, the KPI part's cached gzip members are sent as they are, followed by a small
 * gzip member for the pipeline part and the extra families (the feeds') (a multi-member gzip stream, which HTTP
 * clients and Prometheus read as one body).
 */
export function metricsRoutes(
  metrics: PipelineMetrics,
  kpi?: KpiExposition,
  extra: readonly (() => Promise<string>)[] = [],
): Route[] {
  const route = defineRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: the KPIs and the pipeline',
    tags: ['meta'],
    access: 'open',
    document: false,
    responses: { 200: { description: 'The Prometheus text exposition.' } },
    handler: async ({ request, reply }) => {
      // Extra families (the feeds') come from the database; a failure there must not hide the rest.
      const parts = await Promise.all([metrics.registry.metrics(), ...extra.map((render) => render().catch(() => ''))]);
      const pipeline = parts.join('');
      const cached = kpi?.current;
      void reply.header('content-type', metrics.registry.contentType);
      // The cached part is sent as is, never copied into a new body.
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        void reply.header('content-encoding', 'gzip');
        return reply.send(Readable.from([...(cached?.gzip ?? []), await gzip(Buffer.from(pipeline))]));
      }
      return reply.send(Readable.from([...(cached?.text ?? []), Buffer.from(pipeline)]));
    },
  });
  return [route];
}
