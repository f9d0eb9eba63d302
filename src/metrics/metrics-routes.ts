import type { FastifyPluginAsync } from 'fastify';
import type { PipelineMetrics } from './pipeline-metrics.js';

/** `GET /metrics`: the Prometheus exposition of the pipeline registry. */
export function metricsRoutes(metrics: PipelineMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).send(body);
    });
  };
}
