import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../support/ingest-api.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { postgresProxy } from '../support/postgres-proxy.js';
import { createSchema, dropSchema, schemaUrl, testBackends, uniqueSchema } from '../support/test-database.js';

const backends = await testBackends();
const admin = 'fault-admin-token-0123456789abcdef';
const communes = readFileSync('catalog/regions/vn/communes.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',')[0]!);

/** `n` valid NDJSON records with unique keys, in ~1 MB pieces. */
function ndjson(n: number, indicator = 'vneid_accounts_issued'): Buffer[] {
  const pieces: Buffer[] = [];
  let text = '';
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2025, 6, 1 + Math.floor(i / communes.length))).toISOString().slice(0, 10);
    text +=
      `{"indicator":"${indicator}","region":"${communes[i % communes.length]}",` +
      `"observed_at":"${day}","value":${i}}\n`;
    if (text.length > 1_000_000) {
      pieces.push(Buffer.from(text));
      text = '';
    }
  }
  pieces.push(Buffer.from(text));
  return pieces;
}

/** A body sent piece by piece; `gate` is awaited before piece `at`. */
function gatedBody(pieces: Buffer[], at: number, gate: () => Promise<void>): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (i === at) await gate();
      if (i >= pieces.length) controller.close();
      else controller.enqueue(pieces[i++]!);
    },
  });
}

/** A URL for this schema whose connections carry `application_name`, so the test can find them in pg_stat_activity. */
function namedUrl(schema: string, application: string, port?: number): string {
  const u = new URL(schemaUrl(schema));
  u.searchParams.set('application_name', application);
  if (port) u.port = String(port);
  return u.toString();
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function writerToken(child: RunningChild): Promise<string> {
  const response = await fetch(`${child.baseUrl}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ feed: 'faults', role: 'writer' }),
  });
  expect(response.status).toBe(201);
  return (await readJson(response)).token;
}

function push(child: RunningChild, token: string, body: RequestInit['body'], key?: string): Promise<Response> {
  return fetch(`${child.baseUrl}/v1/observations`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-ndjson',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body,
    duplex: 'half',
  } as RequestInit);
}

describe.runIf(backends.includes('postgres'))('ingest faults on PostgreSQL (the API in a child process)', () => {
  let schema: string;
  let client: pg.Client;
  const children: RunningChild[] = [];
  const start = async (url: string) => {
    const child = await startPacer(
      { DATABASE_URL: url, PACER_DEMO_DATA: 'false', PACER_ADMIN_TOKEN: admin },
      { args: ['--roles', 'api'], readyWithinMs: 60_000 },
    );
    children.push(child);
    return child;
  };
  const count = async (query: string, params: unknown[] = []) => Number((await client.query(query, params)).rows[0].n);

  beforeAll(async () => {
    schema = uniqueSchema('ingest_faults');
    await createSchema(schema);
    client = new pg.Client({ connectionString: schemaUrl(schema) });
    await client.connect();
  });
  afterAll(async () => {
    for (const child of children) await child.stop('SIGKILL');
    await client.end();
    await dropSchema(schema);
  });

  it(
    'leaves nothing of a 200,000-row atomic batch when the API is killed -9 mid-write, ' +
      'and takes the retry with the same Idempotency-Key whole',
    async () => {
      const application = `pacer_kill_${randomBytes(4).toString('hex')}`;
      const first = await start(namedUrl(schema, application));
      const token = await writerToken(first);
      const pieces = ndjson(200_000);
      const key = 'kill-test-200k';
      // A transaction with an id has written something: the batch row, and the first chunk by COPY.
      const inTransaction = () =>
        count(`select count(*) as n from pg_stat_activity where application_name = $1 and backend_xid is not null`, [
          application,
        ]);

      // Send 60% of the body, wait until the server is writing it in its open transaction, then kill it.
      const sent = push(
        first,
        token,
        gatedBody(pieces, Math.floor(pieces.length * 0.6), () =>
          waitFor(async () => (await inTransaction()) > 0, 'writes in the batch transaction'),
        ),
        key,
      );
      await waitFor(async () => (await inTransaction()) > 0, 'the batch transaction');
      first.child.kill('SIGKILL');
      await expect(sent).rejects.toThrow();
      // PostgreSQL rolls the transaction back when the dead client's connection closes.
      await waitFor(
        async () =>
          (await count('select count(*) as n from pg_stat_activity where application_name = $1', [application])) === 0,
        'the killed server’s connections to close',
      );
      expect(await count('select count(*) as n from observations')).toBe(0);
      expect(await count('select count(*) as n from ingest_batches where idempotency_key = $1', [key])).toBe(0);

      const second = await start(namedUrl(schema, application));
      const retry = await push(second, token, Buffer.concat(pieces), key);
      expect(retry.status).toBe(200);
      const summary = await readJson(retry);
      expect(summary).toMatchObject({ received: 200_000, inserted: 200_000, updated: 0, unchanged: 0, rejected: 0 });
      expect(await count('select count(*) as n from observations')).toBe(200_000);
      expect(
        await count('select count(distinct (indicator_id, region_id, observed_at, dims)) as n from observations'),
      ).toBe(200_000);
      expect(
        await count(
          `select count(*) as n from ingest_batches where idempotency_key = $1 ` +
            `and status = 'committed' and received = 200000`,
          [key],
        ),
      ).toBe(1);

      const replay = await push(second, token, Buffer.concat(pieces), key);
      expect(await readJson(replay)).toEqual({ ...summary, replayed: true });
      expect(await count('select count(*) as n from observations')).toBe(200_000);
    },
  );

  it(
    'answers 503 with Retry-After while PostgreSQL is unreachable, ' + 'and recovers by itself when it is back',
    async () => {
      // A TCP proxy in front of the shared PostgreSQL: cutting it makes the database unreachable for this API only.
      const { port, open: listen, cut } = await postgresProxy();
      await listen();
      const application = `pacer_cut_${randomBytes(4).toString('hex')}`;
      const api = await start(namedUrl(schema, application, port));
      try {
        const token = await writerToken(api);
        const pieces = ndjson(120_000, 'chip_id_cards_issued');
        const key = 'outage-test';
        const writing = () =>
          count(`select count(*) as n from pg_stat_activity where application_name = $1 and backend_xid is not null`, [
            application,
          ]);

        // Cut while a batch is being written: that batch fails with 503 and leaves nothing.
        const inFlight = push(
          api,
          token,
          gatedBody(pieces, Math.floor(pieces.length * 0.7), async () => {
            await waitFor(async () => (await writing()) > 0, 'the batch transaction');
            await cut();
          }),
          key,
        );
        const failed = await inFlight;
        expect(failed.status).toBe(503);
        expect(Number(failed.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await readJson(failed)).error.code).toBe('database_unavailable');

        // While cut: every push is a 503 with Retry-After; the process stays up and says it is not ready.
        const during = await push(api, token, Buffer.concat(pieces.slice(0, 1)));
        expect(during.status).toBe(503);
        expect(during.headers.get('retry-after')).toBe('5');
        expect((await readJson(during)).error.code).toBe('database_unavailable');
        expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(503);
        expect((await fetch(`${api.baseUrl}/healthz`)).status).toBe(200);
        await waitFor(
          async () =>
            (await count('select count(*) as n from pg_stat_activity where application_name = $1', [application])) ===
            0,
          'the cut connections to end',
        );
        expect(await count(`select count(*) as n from observations where indicator_id = 'chip_id_cards_issued'`)).toBe(
          0,
        );
        expect(await count(`select count(*) as n from ingest_batches where idempotency_key = $1`, [key])).toBe(0);

        // Back: the same process recovers without a restart, and the retry is written whole.
        await listen();
        await waitFor(async () => (await fetch(`${api.baseUrl}/readyz`)).status === 200, 'readiness after recovery');
        const retry = await push(api, token, Buffer.concat(pieces), key);
        expect(retry.status).toBe(200);
        expect(await readJson(retry)).toMatchObject({ received: 120_000, inserted: 120_000, rejected: 0 });
        expect(await count(`select count(*) as n from observations where indicator_id = 'chip_id_cards_issued'`)).toBe(
          120_000,
        );
        expect(api.child.exitCode).toBeNull();
      } finally {
        await cut().catch(() => undefined);
      }
    },
  );
});
