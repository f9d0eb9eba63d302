import { ConfigError, UnavailableError } from '../../errors/pacer-error.js';
import type { FeedDefinition, FeedSourceSpec } from '../feed-schema.js';
import type { FeedSourceReader } from './feed-source.js';
import { sourceRecords } from './source-records.js';

type HttpSpec = Extract<FeedSourceSpec, { type: 'http' }>;

/**
 * GETs the feed's URL. A network error or a non-2xx answer is an {@link UnavailableError}, which
 * the runtime retries with backoff; the body streams into the parser, never over `max_bytes`.
 */
export function httpSource(feed: FeedDefinition, spec: HttpSpec): FeedSourceReader {
  return async function* ({ signal, env }) {
    const headers: Record<string, string> = { accept: spec.format === 'csv' ? 'text/csv' : 'application/json' };
    for (const [header, name] of Object.entries(spec.headers_from_env ?? {})) {
      const value = env[name];
      if (!value)
        throw new ConfigError(`feed ${feed.id}: environment variable ${name} (header ${header}) is not set`, [
          { code: 'missing_env', field: `source.headers_from_env.${header}`, message: `${name} is not set` },
        ]);
      headers[header] = value;
    }
    let response: Response;
    try {
      response = await fetch(spec.url, { headers, signal, redirect: 'follow' });
    } catch (error) {
      throw new UnavailableError(`feed ${feed.id}: GET ${spec.url} failed: ${describeFetchError(error)}`, {
        code: 'source_unavailable',
        cause: error,
      });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new UnavailableError(
        `feed ${feed.id}: GET ${spec.url} answered ${response.status} ${response.statusText}`,
        { code: 'source_unavailable' },
      );
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > spec.max_bytes)
      throw new UnavailableError(
        `feed ${feed.id}: GET ${spec.url} is ${declared} bytes, over max_bytes ${spec.max_bytes}`,
        { code: 'source_too_large' },
      );
    yield {
      name: spec.url,
      records: sourceRecords(spec.format, limited(response.body, spec.max_bytes, spec.url), {
        mapping: feed.mapping,
        recordsPath: spec.records,
        origin: spec.url,
      }),
    };
  };
}

async function* limited(body: ReadableStream<Uint8Array>, max: number, url: string): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max)
      throw new UnavailableError(`GET ${url}: response over max_bytes ${max}`, { code: 'source_too_large' });
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** undici says "fetch failed" and puts the reason (ECONNREFUSED, a TLS error) in the cause. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ? `${(error as Error).message}: ${cause}` : (error as Error).message;
}
