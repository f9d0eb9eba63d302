import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { which } from '../support/binaries.js';
import { startIngestApi, readJson, type IngestApi } from '../support/ingest-api.js';
import { servicesRequired, testDatabaseUrl } from '../support/services.js';
import { testBackends, uniqueSchema } from '../support/test-database.js';
import { kpiMetrics } from '../../src/conventions.js';

const backends = await testBackends();
const promtool = which('promtool');

/** A source server whose next answers the test sets: status and body per path. */
interface SourceServer {
  url: string;
  answers: Map<string, { status: number; type: string; body: string }[]>;
  hits: string[];
  close(): Promise<void>;
}

async function sourceServer(): Promise<SourceServer> {
  const answers = new Map<string, { status: number; type: string; body: string }[]>();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.url} ${req.headers.authorization ?? '-'}`);
    const queue = answers.get(req.url ?? '') ?? [];
    const answer = queue.length > 1 ? queue.shift()! : queue[0];
    if (!answer) return void res.writeHead(404).end();
    res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const figures = `observed_on,indicator,region,value,note
2023-03-01,vneid_accounts_issued,VN,20000000,first
2023-04-01,vneid_accounts_issued,VN,25000000,
2023-04-01,vneid_accounts_issued,79,1500000,HCMC pre-2025
`;

function feedYaml(id: string, body: string, extra = ''): string {
  return `apiVersion: pacer/v1
kind: Feed
id: ${id}
schedule: "0 6 * * *"
expected_every: 1d
retries: { attempts: 2, backoff: 1s }
indicators: ["vneid_*"]
${extra}${body}`;
}

const csvMapping = `mapping:
  indicator: indicator
  region: region
  observed_at: observed_on
  value: value
  note: note
`;

describe.each(backends)('feed runs on %s', (backend) => {
  let api: IngestApi;
  let source: SourceServer;
  let jobs: string;
  const slot = new Date('2026-11-27T23:00:00Z');
  const run = (feedId: string, at = slot) => api.services.feeds.runner.run({ feedId, slot: at, trigger: 'schedule' });
  const observations = async () =>
    Number(
      (
        await api.database.db
          .selectFrom('observations')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    source = await sourceServer();
    jobs = await mkdtemp(path.join(tmpdir(), 'pacer-feeds-'));
    await writeFile(path.join(jobs, 'figures.csv'), figures);
    await writeFile(path.join(jobs, 'wrong-header.csv'), figures.replace('observed_on', 'date'));
    await writeFile(
      path.join(jobs, 'figures.yaml'),
      feedYaml('figures', `source: { type: file, path: figures.csv }\n${csvMapping}`),
    );
    await writeFile(
      path.join(jobs, 'wrong-header.yaml'),
      feedYaml('wrong-header', `source: { type: file, path: wrong-header.csv }\n${csvMapping}`),
    );
    await writeFile(
      path.join(jobs, 'partner.yaml'),
      feedYaml(
        'partner',
        `source:\n  type: http\n  url: ${source.url}/partner.json\n  records: data.items\n` +
          `  headers_from_env: { Authorization: PACER_TEST_PARTNER_TOKEN }\n` +
          `mapping:\n  indicator: { const: vneid_accounts_issued }\n  region: province\n` +
          `  observed_at: as_of\n  value: count\n`,
      ),
    );
    await writeFile(
      path.join(jobs, 'lenient.yaml'),
      feedYaml(
        'lenient',
        `source: { type: http, url: "${source.url}/lenient.ndjson", format: ndjson }\n`,
        'mode: partial\n',
      ),
    );
    await writeFile(
      path.join(jobs, 'paused.yaml'),
      feedYaml('paused', `source: { type: file, path: figures.csv }\n${csvMapping}`, 'enabled: false\n'),
    );
    process.env.PACER_TEST_PARTNER_TOKEN = 'Bearer partner-secret';
    api = await startIngestApi(backend, 'feed_runs', { PACER_JOBS_DIR: jobs });
  });
  afterAll(async () => {
    await api.close();
    await source.close();
  });

  it(
    'writes a file feed once: a second delivery of the slot is a recorded no-op, ' +
      'a later slot finds every row unchanged',
    async () => {
      const first = await run('figures');
      expect(first).toMatchObject({
        outcome: 'succeeded',
        attempts: 1,
        counts: { received: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 },
      });
      expect(await observations()).toBe(3);
      const batches = await api.database.db
        .selectFrom('ingest_batches')
        .select(['source', 'feed', 'idempotency_key'])
        .where('feed', '=', 'figures')
        .execute();
      expect(batches).toEqual([
        { source: 'feed', feed: 'figures', idempotency_key: `feed/figures/${slot.toISOString()}` },
      ]);

      expect(await run('figures')).toEqual({ outcome: 'duplicate' });
      const [row] = await api.database.db
        .selectFrom('feed_runs')
        .selectAll()
        .where('feed_id', '=', 'figures')
        .execute();
      expect(row).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1, inserted: 3 });

      const later = await run('figures', new Date(slot.getTime() + 86_400_000));
      expect(later).toMatchObject({ outcome: 'succeeded', counts: { received: 3, inserted: 0, unchanged: 3 } });
      expect(await observations()).toBe(3);
    },
  );

  it(
    'retries an http source that answered 500 and succeeds on the same slot, ' +
      'sending the header from the environment',
    async () => {
      const body = JSON.stringify({
        data: {
          items: [
            { province: 'VN', as_of: '2023-05-01', count: 27000000 },
            { province: '01', as_of: '2023-05-01', count: 2100000 },
          ],
        },
      });
      source.answers.set('/partner.json', [
        { status: 500, type: 'text/plain', body: 'down' },
        { status: 200, type: 'application/json', body },
      ]);
      const failed = await run('partner');
      expect(failed).toMatchObject({
        outcome: 'failed',
        attempts: 1,
        retryable: true,
        error: { code: 'source_unavailable', message: expect.stringContaining('answered 500') },
      });
      const retried = await run('partner');
      expect(retried).toMatchObject({ outcome: 'succeeded', attempts: 2, counts: { received: 2, inserted: 2 } });
      expect(source.hits.filter((h) => h.startsWith('/partner.json'))).toEqual([
        '/partner.json Bearer partner-secret',
        '/partner.json Bearer partner-secret',
      ]);
    },
  );

  it('fails a run on malformed JSON with the line and field, writes nothing and does not retry', async () => {
    const before = await observations();
    source.answers.set('/partner.json', [
      {
        status: 200,
        type: 'application/json',
        body: '{"data": {"items": [\n{"province": "VN",\n "as_of": 2023-06-01}]}}',
      },
    ]);
    const result = await run('partner', new Date('2026-11-28T23:00:00Z'));
    expect(result).toMatchObject({
      outcome: 'failed',
      retryable: false,
      error: { code: 'invalid_source', issues: [{ line: 3, field: 'body', code: 'invalid_json' }] },
    });
    expect(await observations()).toBe(before);
  });

  it('fails a run whose CSV lacks a mapped column, naming line 1 and the column', async () => {
    const result = await run('wrong-header');
    expect(result).toMatchObject({
      outcome: 'failed',
      retryable: false,
      error: { issues: [{ line: 1, field: 'observed_on', code: 'missing_column' }] },
    });
    const runs = await readJson(await fetch(`${api.baseUrl}/v1/feeds/wrong-header/runs`));
    expect(runs.items).toEqual([
      expect.objectContaining({
        status: 'failed',
        error_code: 'invalid_source',
        issues: [expect.objectContaining({ line: 1, field: 'observed_on' })],
        inserted: 0,
      }),
    ]);
  });

  it(
    'in partial mode writes the valid records and reports the rejected ones; ' + 'in atomic mode rejects the batch',
    async () => {
      source.answers.set('/lenient.ndjson', [
        {
          status: 200,
          type: 'application/x-ndjson',
          body:
            '{"indicator":"vneid_accounts_issued","region":"VN","observed_at":"2023-07-01","value":30000000}\n' +
            '{"indicator":"vneid_accounts_issued","region":"VN","observed_at":"2023-07-02","value":-5}\n' +
            'not json\n',
        },
      ]);
      const result = await run('lenient');
      expect(result).toMatchObject({ outcome: 'succeeded', counts: { received: 3, inserted: 1, rejected: 2 } });
    },
  );

  it('refuses to write indicators outside the feed scope', async () => {
    source.answers.set('/lenient.ndjson', [
      {
        status: 200,
        type: 'application/x-ndjson',
        body: '{"indicator":"chip_id_cards_issued","region":"VN","observed_at":"2023-07-01","value":1}\n',
      },
    ]);
    const result = await run('lenient', new Date('2026-11-29T23:00:00Z'));
    expect(result).toMatchObject({
      outcome: 'failed',
      retryable: false,
      error: { code: 'indicator_out_of_scope', message: expect.stringContaining('chip_id_cards_issued') },
    });
  });

  it('reads a reporting database with a read-only query bound to the slot', async () => {
    const schema = uniqueSchema('feed_src');
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await client.query(
        `create schema ${schema}; create table ${schema}.report (code text, day date, n bigint, level text)`,
      );
      await client.query(
        `insert into ${schema}.report values ('VN', '2023-08-01', 31000000, '2'), ('79', '2023-08-01', 1700000, '2')`,
      );
      await writeFile(
        path.join(jobs, 'report.yaml'),
        feedYaml(
          'report',
          `source:\n  type: postgres\n  connection_env: PACER_TEST_REPORT_DB\n` +
            `  query: select code, day::text as day, n, level from ${schema}.report where day < $1\n` +
            `mapping:\n  indicator: { const: vneid_accounts_issued }\n  region: code\n` +
            `  observed_at: day\n  value: n\n  dims: { level: level }\n`,
        ),
      );
      process.env.PACER_TEST_REPORT_DB = testDatabaseUrl;
      await api.services.feeds.registry.load();
      expect(await run('report')).toMatchObject({ outcome: 'succeeded', counts: { received: 2, inserted: 2 } });
      const dims = await api.database.db
        .selectFrom('observations')
        .select('dims')
        .where('value', '=', 1700000)
        .executeTakeFirstOrThrow();
      expect(dims.dims).toEqual({ level: '2' });

      // The transaction is read only: a query that writes (here a sequence) fails the run for good and changes nothing.
      await client.query(`create sequence ${schema}.s`);
      await writeFile(
        path.join(jobs, 'report.yaml'),
        feedYaml(
          'report',
          `source:\n  type: postgres\n  connection_env: PACER_TEST_REPORT_DB\n` +
            `  query: select 'vneid_accounts_issued' as indicator, 'VN' as region, ` +
            `'2023-09-01' as observed_at, nextval('${schema}.s') as value\n`,
        ),
      );
      await api.services.feeds.registry.load();
      const write = await run('report', new Date('2026-11-30T23:00:00Z'));
      expect(write).toMatchObject({
        outcome: 'failed',
        retryable: false,
        error: { code: 'invalid_config', message: expect.stringMatching(/read-only transaction/) },
      });
      expect((await client.query(`select last_value::int, is_called from ${schema}.s`)).rows[0]).toEqual({
        last_value: 1,
        is_called: false,
      });
    } finally {
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  it('lists every feed with its schedule and latest run, pages runs, and answers 404 for an unknown feed', async () => {
    const feeds = await readJson(await fetch(`${api.baseUrl}/v1/feeds`));
    const byId = Object.fromEntries((feeds.items as { id: string; next_run_at: string }[]).map((f) => [f.id, f]));
    expect(byId.figures).toMatchObject({
      enabled: true,
      source: 'file',
      schedule: '0 6 * * *',
      timezone: 'Asia/Ho_Chi_Minh',
      expected_every_seconds: 86_400,
      stale: false,
      last_run: { status: 'succeeded', inserted: 0, unchanged: 3 },
    });
    expect(byId.paused).toMatchObject({ enabled: false, next_run_at: null, last_run: null, last_success_at: null });
    expect(new Date(byId.figures!.next_run_at).getUTCHours()).toBe(23);
    const page = await readJson(await fetch(`${api.baseUrl}/v1/feeds/figures/runs?limit=1`));
    expect(page.items).toHaveLength(1);
    const older = await readJson(
      await fetch(`${api.baseUrl}/v1/feeds/figures/runs?before=${encodeURIComponent(page.items[0].started_at)}`),
    );
    expect(older.items.map((r: { slot: string }) => r.slot)).toEqual([slot.toISOString()]);
    const missing = await fetch(`${api.baseUrl}/v1/feeds/nope/runs`);
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).error.code).toBe('not_found');
    expect((await fetch(`${api.baseUrl}/v1/feeds/figures/runs?limit=0`)).status).toBe(400);
  });

  it('exports kpi_feed_* from the runs table', async () => {
    const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(text).toContain(`${kpiMetrics.feedExpectedIntervalSeconds}{feed="figures"} 86400`);
    expect(text).not.toContain(`${kpiMetrics.feedExpectedIntervalSeconds}{feed="paused"}`);
    expect(text).toContain(`${kpiMetrics.feedRunsTotal}{feed="figures",outcome="succeeded"} 2`);
    expect(text).toContain(`${kpiMetrics.feedRunsTotal}{feed="figures",outcome="duplicate"} 1`);
    expect(text).toContain(`${kpiMetrics.feedRunsTotal}{feed="partner",outcome="failed"} 2`);
    expect(text).toContain(`${kpiMetrics.feedRowsTotal}{feed="figures",outcome="unchanged"} 3`);
    expect(text).toContain(`${kpiMetrics.feedRowsTotal}{feed="lenient",outcome="rejected"} 2`);
    expect(text).toMatch(/kpi_feed_run_duration_seconds_count\{feed="figures"\} 2\n/);
    expect(text).toMatch(/kpi_feed_last_success_timestamp_seconds\{feed="figures"\} \d+(\.\d+)?\n/);
    expect(text).toMatch(/kpi_feed_last_run_timestamp_seconds\{feed="wrong-header"\} \d/);
    expect(text).not.toMatch(/kpi_feed_last_success_timestamp_seconds\{feed="wrong-header"\}/);
  });

  it.skipIf(!promtool && !servicesRequired)(
    'passes promtool check metrics with the feed families (Debian prometheus)',
    async () => {
      expect(promtool, 'promtool not found: apt-get install prometheus').toBeDefined();
      const body = await (await fetch(`${api.baseUrl}/metrics`)).text();
      const check = spawnSync(promtool!, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(check.stderr + check.stdout).toBe('');
      expect(check.status).toBe(0);
    },
  );
});
