import type { FastifyReply, FastifyRequest } from 'fastify';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Language } from '../conventions.js';
import { Formatter } from '../domain/language/formatter.js';
import { defaultLanguage, isLanguage, negotiateLanguage } from '../domain/language/language.js';
import { errorBodyOf, httpStatusOf, retryAfterOf } from '../errors/error-mapping.js';
import { defineRoute, type Route } from '../http/route.js';
import { renderDirectivePage } from './html/directive-page.js';
import { errorPage, type AssetUrl, type PageLanguage } from './html/layout.js';
import { renderTargetPage } from './html/target-page.js';
import { PageCache, type CachedPage } from './page-cache.js';
import { ScorecardAssets } from './scorecard-assets.js';
import {
  directivePageQuerySchema,
  targetParamsSchema,
  targetQuerySchema,
  type DirectivePageQuery,
} from './scorecard-schema.js';
import type { ScorecardService } from './scorecard-service.js';

/**
 * Pages only load what this server serves; inline `style` attributes draw the bars, and the
 * chart data is an inert JSON block, so no inline script ever runs.
 */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src " +
  "'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const acceptsGzip = (request: FastifyRequest) => /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));

/** Sends a page: HTML with the pages' security policy, gzipped when the client takes it and it is worth it. */
export function sendHtml(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  page: string | CachedPage,
): FastifyReply {
  void reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy)
    .header('cache-control', 'no-store')
    .header('vary', 'accept-encoding, accept-language');
  const body = typeof page === 'string' ? Buffer.from(page) : page.body;
  if (acceptsGzip(request) && body.length > 1024) {
    const gzip = (typeof page === 'string' ? undefined : page.gzip) ?? gzipSync(body);
    return reply.header('content-encoding', 'gzip').send(gzip);
  }
  return reply.send(body);
}

/** A page's language: how it is written (in the page's time zone), and whether `?lang=` chose it. */
const written = (language: Language, lang: Language | undefined, timezone: string): PageLanguage => ({
  format: new Formatter(language, timezone),
  lang,
});

/**
 * Every failure is shown as a page (a browser asked for HTML), with the status, code and
 * Retry-After the API would give: a bad date, an unknown target, a database that cannot be read; in
 * the reader's language.
 */
export function pageErrorHandler(assetUrl: AssetUrl, fallbackLanguage: Language = 'en') {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const status = httpStatusOf(error);
    if (status >= 500) request.log[status === 503 ? 'warn' : 'error']({ err: error }, 'page failed');
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    const { code, message } = errorBodyOf(error).error;
    // The query may be what failed: its `lang` is read as loosely as the header.
    const asked = (request.query as { lang?: unknown } | undefined)?.lang;
    const lang = isLanguage(asked) ? asked : undefined;
    const language = written(pageLanguage(request, lang, fallbackLanguage), lang, 'UTC');
    return sendHtml(request, reply, status, errorPage(status, code, message, assetUrl, language, retryAfter));
  };
}

/**
 * A page's cache key: the path, the language it is written in, and the query as it changes the page.
 * Statuses and directives are sets; owners keep their order (the form shows the first); a `?lang=`
 * is kept apart from the same language by `Accept-Language`, as the page's links carry the one and
 * not the other.
 */
function pageKey(path: string, query: DirectivePageQuery, language: Language): string {
  const set = (xs: string[] | undefined) => [...new Set(xs ?? [])].sort();
  return JSON.stringify([
    path,
    language,
    query.lang ?? null,
    set(query.status),
    query.owner ?? [],
    set(query.directive),
    query.page ?? 1,
  ]);
}

/** The reader's language: `?lang=`, else the first of Pacer's in `Accept-Language`, else the deployment's default. */
function pageLanguage(request: FastifyRequest, lang: Language | undefined, fallback: Language): Language {
  return lang ?? negotiateLanguage(request.headers['accept-language']) ?? fallback;
}

/**
 * The web scorecard: `/` (every target, worst first), `/targets/{id}` and the static files under
 * `/assets/`. Server-rendered HTML that works without JavaScript; the same data as `/v1/targets`.
 * Not part of the API document.
 */
export async function scorecardPages(
  scorecard: ScorecardService,
  cacheLimits: { maxEntries: number; maxBytes: number } = { maxEntries: 500, maxBytes: 256 * 2 ** 20 },
  fallbackLanguage: Language = defaultLanguage,
): Promise<Route[]> {
  const assets = await ScorecardAssets.load();
  // Pages of "now" are the newest evaluation's, rendered once per evaluation. Pages as of a past date
  // (?at=) or as known at an instant (?known_at=) are not kept: each is a full evaluation of that day,
  // and it changes with any backfill or catalog apply, which the cache would have to follow; people
  // rarely ask for the same one twice.
  const cache = new PageCache(cacheLimits);
  const cached = (query: DirectivePageQuery, language: Language, path: string, render: () => Promise<string>) => {
    const generation = query.at || query.known_at ? undefined : scorecard.nowKey();
    return generation ? cache.get(generation, pageKey(path, query, language), render) : render();
  };

  const assetUrl = assets.url.bind(assets);
  const page = {
    tags: ['scorecard'],
    access: 'open' as const,
    document: false,
    responses: { 200: { description: 'An HTML page.' } },
  };
  const onError = pageErrorHandler(assetUrl, fallbackLanguage);
  const directive = defineRoute({
    ...page,
    method: 'get',
    path: '/',
    summary: 'Every target, worst first',
    query: directivePageQuerySchema,
    onError,
    handler: async ({ query, request, reply }) => {
      const language = pageLanguage(request, query.lang, fallbackLanguage);
      const page = await cached(query, language, '/', async () => {
        const list = await scorecard.list({ ...query, lang: language });
        return renderDirectivePage(list, query, assetUrl, written(language, query.lang, list.timezone));
      });
      return sendHtml(request, reply, 200, page);
    },
  });
  const target = defineRoute({
    ...page,
    method: 'get',
    path: '/targets/{id}',
    summary: 'One target',
    params: targetParamsSchema,
    query: targetQuerySchema,
    onError,
    handler: async ({ params: { id }, query: { at, known_at, lang }, request, reply }) => {
      const language = pageLanguage(request, lang, fallbackLanguage);
      const page = await cached({ at, known_at, lang }, language, `/targets/${id}`, async () => {
        const detail = await scorecard.detail(id, at, known_at, language);
        return renderTargetPage(detail, at, assetUrl, written(language, lang, detail.timezone), known_at);
      });
      return sendHtml(request, reply, 200, page);
    },
  });
  const asset = defineRoute({
    ...page,
    method: 'get',
    path: '/assets/{name}',
    summary: 'A static file of the pages',
    params: z.object({ name: z.string() }),
    // Only `?v=` equal to the file's version makes it immutable; anything else (even repeated) is no version.
    query: z.object({ v: z.string().optional().catch(undefined) }),
    handler: async ({ params: { name }, query: { v }, request, reply }) => {
      const found = assets.get(name);
      if (!found) return reply.status(404).send({ error: { code: 'not_found', message: `no asset ${name}` } });
      void reply
        .header('content-type', found.type)
        .header('cache-control', v === found.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
        .header('etag', `"${found.version}"`)
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === `"${found.version}"`) return reply.status(304).send();
      if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(found.gzip);
      return reply.send(found.body);
    },
  });
  return [directive, target, asset];
}
