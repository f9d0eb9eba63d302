import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { gzipSync } from 'node:zlib';
import { errorBodyOf, httpStatusOf } from '../errors/error-mapping.js';
import { PacerError } from '../errors/pacer-error.js';
import { renderDirectivePage } from './html/directive-page.js';
import { errorPage } from './html/layout.js';
import { renderTargetPage } from './html/target-page.js';
import { ScorecardAssets } from './scorecard-assets.js';
import { parseRequestPart } from './scorecard-routes.js';
import { targetListQuerySchema, targetParamsSchema, targetQuerySchema } from './scorecard-schema.js';
import type { ScorecardService } from './scorecard-service.js';

/**
 * Pages only load what this server serves; inline `style` attributes draw the bars, and the
 * chart data is an inert JSON block, so no inline script ever runs.
 */
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const acceptsGzip = (request: FastifyRequest) => /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));

function sendHtml(request: FastifyRequest, reply: FastifyReply, status: number, page: string): FastifyReply {
  void reply.status(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', contentSecurityPolicy).header('cache-control', 'no-store').header('vary', 'accept-encoding');
  const body = Buffer.from(page);
  if (acceptsGzip(request) && body.length > 1024) return reply.header('content-encoding', 'gzip').send(gzipSync(body));
  return reply.send(body);
}

/**
 * The web scorecard: `/` (every target, worst first), `/targets/{id}` and the static files under
 * `/assets/`. Server-rendered HTML that works without JavaScript; the same data as `/v1/targets`.
 */
export function scorecardPages(scorecard: ScorecardService): FastifyPluginAsync {
  return async (app) => {
    const assets = await ScorecardAssets.load();
    const assetUrl = assets.url.bind(assets);

    // A bad date or an unknown target is shown as a page, with the status and code the API would give.
    const page = (render: (request: FastifyRequest) => Promise<string>) => async (request: FastifyRequest, reply: FastifyReply) => {
      let html: string;
      try {
        html = await render(request);
      } catch (error) {
        if (!(error instanceof PacerError) || httpStatusOf(error) >= 500) throw error;
        const status = httpStatusOf(error);
        const { code, message } = errorBodyOf(error).error;
        return sendHtml(request, reply, status, errorPage(status, code, message, assetUrl));
      }
      return sendHtml(request, reply, 200, html);
    };

    app.get(
      '/',
      page(async (request) => {
        const query = parseRequestPart(targetListQuerySchema, request.query, 'query');
        return renderDirectivePage(await scorecard.list(query), query, assetUrl);
      }),
    );

    app.get(
      '/targets/:id',
      page(async (request) => {
        const { id } = parseRequestPart(targetParamsSchema, request.params, 'path');
        const { at } = parseRequestPart(targetQuerySchema, request.query, 'query');
        return renderTargetPage(await scorecard.detail(id, at), at, assetUrl);
      }),
    );

    app.get('/assets/:name', async (request, reply) => {
      const { name } = request.params as { name: string };
      const asset = assets.get(name);
      if (!asset) return reply.status(404).send({ error: { code: 'not_found', message: `no asset ${name}` } });
      const versioned = (request.query as { v?: string }).v === asset.version;
      void reply
        .header('content-type', asset.type)
        .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
        .header('etag', `"${asset.version}"`)
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === `"${asset.version}"`) return reply.status(304).send();
      if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    });
  };
}
