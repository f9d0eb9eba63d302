import pg from 'pg';
import { ConfigError, UnavailableError } from '../../errors/pacer-error.js';
import type { RawObservation } from '../../domain/observations/observation.js';
import type { FeedDefinition, FeedSourceSpec } from '../feed-schema.js';
import { compileMapping } from '../record-mapping.js';
import type { FeedSourceReader } from './feed-source.js';

type PostgresSpec = Extract<FeedSourceSpec, { type: 'postgres' }>;

const FETCH_ROWS = 5_000;

/**
 * Runs the feed's query against a reporting database in a READ ONLY transaction with the feed's
 * timeout as statement_timeout, through a cursor so rows stream in pages of 5,000. Columns map by
 * name; without a mapping they must be called indicator, region, observed_at, value (dims, note).
 */
export function postgresSource(feed: FeedDefinition, spec: PostgresSpec): FeedSourceReader {
  return async function* ({ env, slot, signal }) {
    const url = env[spec.connection_env];
    if (!url)
      throw new ConfigError(`feed ${feed.id}: environment variable ${spec.connection_env} is not set`, [
        { code: 'missing_env', field: 'source.connection_env', message: `${spec.connection_env} is not set` },
      ]);
    const client = new pg.Client({
      connectionString: url,
      statement_timeout: feed.timeout,
      application_name: `pacer feed ${feed.id}`,
    });
    const abort = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
    } catch (error) {
      signal.removeEventListener('abort', abort);
      throw new UnavailableError(
        `feed ${feed.id}: cannot connect to ${spec.connection_env}: ${(error as Error).message}`,
        { code: 'source_unavailable', cause: error },
      );
    }
    yield {
      name: 'query',
      records: rows(client, spec.query, slot, feed, () => signal.removeEventListener('abort', abort)),
    };
  };
}

async function* rows(
  client: pg.Client,
  query: string,
  slot: Date,
  feed: FeedDefinition,
  done: () => void,
): AsyncGenerator<RawObservation> {
  const map = compileMapping(
    feed.mapping ?? {
      indicator: 'indicator',
      region: 'region',
      observed_at: 'observed_at',
      value: 'value',
      note: 'note',
    },
  );
  let line = 0;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`DECLARE pacer_feed NO SCROLL CURSOR FOR ${query}`, query.includes('$1') ? [slot] : []);
    for (;;) {
      const page = await client.query(`FETCH ${FETCH_ROWS} FROM pacer_feed`);
      for (const row of page.rows) yield map(row, ++line);
      if (page.rows.length < FETCH_ROWS) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    throw classify(error, feed);
  } finally {
    done();
    await client.end().catch(() => undefined);
  }
}

/**
 * SQL errors in the query (syntax, unknown column, a write in the read-only transaction, a bad
 * cast) fail every time: configuration. Lost connections and timeouts may pass: retry.
 */
function classify(error: unknown, feed: FeedDefinition): Error {
  const code = (error as { code?: unknown }).code;
  const message = `feed ${feed.id}: the query failed: ${(error as Error).message}`;
  if (typeof code === 'string' && /^(42|25|22|0A)/.test(code))
    return new ConfigError(
      message,
      [{ code: 'invalid_query', field: 'source.query', message: (error as Error).message }],
      { cause: error },
    );
  return new UnavailableError(message, { code: 'source_unavailable', cause: error });
}
