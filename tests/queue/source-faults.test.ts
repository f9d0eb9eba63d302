import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvLines,
  feedEnv,
  queueServicesAvailable,
  ndjsonLines,
  killChildren,
  openQueue,
  removeTempDirs,
  runsOf,
  SourceServer,
  sourceRecords,
  status,
  streamed,
  tempDir,
  uniquePrefix,
  waitFor,
  writeFeed,
  written,
  yearly,
} from '../support/feed-fixtures.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { testRedisUrl } from '../support/services.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('faults');
const server = new SourceServer();
let queue: Queue;
let close: (obliterate?: boolean) => Promise<void> = async () => undefined;
let db: TestDatabase;
let pacer: RunningChild;

const mapping = { indicator: 'indicator', region: 'region', observed_at: 'observed_at', value: 'value' };
const csvMapping = { indicator: 'indicator', region: 'region', observed_at: 'observed_on', value: 'value' };
const jsonRecords = sourceRecords(5, 'vneid_accounts_issued');
const csvRecords = sourceRecords(6, 'vneid_applications_received');
const flakyRecords = sourceRecords(7, 'vneid_accounts_activated');

/** A JSON document whose third line has a trailing comma in an object. */
const malformedJson = [
  '{"data": [\n',
  `${JSON.stringify(jsonRecords[0])},\n`,
  `{"indicator": "vneid_accounts_issued", "region": "VN", "observed_at": "2023-06-02", "value": 2,},\n`,
  ']}\n',
];
const goodJson = [JSON.stringify({ data: jsonRecords })];

interface ApiRun {
  slot: string;
  status: string;
  attempts: number;
  error: string | null;
  error_code: string | null;
  issues: { line: number; field: string; code: string; message: string }[] | null;
  inserted: number;
}

async function apiRuns(feedId: string): Promise<ApiRun[]> {
  const response = await fetch(`${pacer.baseUrl}/v1/feeds/${feedId}/runs?limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: ApiRun[] }).items;
}

beforeAll(async () => {
  ({ queue, close } = openQueue(testRedisUrl, prefix));
  await server.start();
  db = await openTestDatabase('postgres', 'queue_faults');
  await applyShippedCatalog(db.database);
  const jobsDir = await tempDir();
  await writeFeed(jobsDir, {
    id: 'flaky',
    schedule: yearly,
    retries: { attempts: 3, backoff: '1s' },
    source: { type: 'http', url: server.url('/flaky'), format: 'ndjson' },
  });
  const every2s = { cron: '*/2 * * * * *', timezone: 'UTC' };
  await writeFeed(jobsDir, {
    id: 'bad-json',
    schedule: every2s,
    retries: { attempts: 3, backoff: '1s' },
    source: { type: 'http', url: server.url('/bad-json'), format: 'json', records: 'data' },
    mapping,
  });
  await writeFeed(jobsDir, {
    id: 'html-page',
    schedule: yearly,
    source: { type: 'http', url: server.url('/html-page'), format: 'json', records: 'data' },
    mapping,
  });
  await writeFeed(jobsDir, {
    id: 'bad-csv',
    schedule: every2s,
    retries: { attempts: 3, backoff: '1s' },
    source: { type: 'http', url: server.url('/bad-csv'), format: 'csv' },
    mapping: csvMapping,
  });

  let flakyCalls = 0;
  const flakyGood = streamed(ndjsonLines(flakyRecords));
  server.on('/flaky', (request, response, hit) =>
    ++flakyCalls === 1 ? status(500)(request, response, hit) : flakyGood(request, response, hit),
  );
  server.on('/bad-json', streamed(malformedJson, { contentType: 'application/json' }));
  // A maintenance page answered with 200: V8's message names no position for it.
  server.on(
    '/html-page',
    streamed(['<!doctype html>\n', '<html><body>Down for maintenance</body></html>\n'], {
      contentType: 'application/json',
    }),
  );
  // The header names the date column "date", not the mapped "observed_on".
  server.on('/bad-csv', streamed(csvLines(csvRecords, 'date,indicator,region,value'), { contentType: 'text/csv' }));

  pacer = await startPacer(feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: testRedisUrl }), {
    args: ['--roles', 'api,worker,scheduler'],
  });
});

afterAll(async () => {
  await pacer?.stop('SIGKILL');
  await killChildren();
  await close();
  await server.stop();
  await db?.drop();
  await removeTempDirs();
});

describe.runIf(available)('an http source that fails', () => {
  it('answering 500 then 200: the run is retried after the backoff and succeeds on the second attempt', async () => {
    await waitFor(
      async () => (await runsOf(db.database, 'flaky'))[0]?.status === 'succeeded',
      'the flaky feed to succeed',
    );
    const hits = server.hitsOf('/flaky');
    expect(hits.map((h) => h.status)).toEqual([500, 200]);
    // BullMQ's exponential backoff: 1 s before the second attempt.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(1_000);

    const [run, ...others] = await apiRuns('flaky');
    expect(others).toEqual([]);
    expect(run).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      error: null,
      error_code: null,
      issues: null,
      inserted: 7,
    });
    expect((await written(db.database, 'flaky', 'vneid_accounts_activated')).observations).toBe(7);
  });

  it(
    'answering malformed JSON: the run fails with the line and field, ' +
      'nothing is written, is not retried, and the next slot still runs',
    async () => {
      await waitFor(
        async () => (await runsOf(db.database, 'bad-json')).filter((r) => r.status === 'failed').length >= 2,
        'two failed slots of bad-json',
      );
      const failed = (await apiRuns('bad-json')).filter((r) => r.status === 'failed');
      for (const run of failed) {
        expect(run).toMatchObject({ attempts: 1, error_code: 'invalid_source', inserted: 0 });
        expect(run.error).toContain('not valid JSON');
        expect(run.issues).toMatchObject([{ line: 3, field: 'body', code: 'invalid_json' }]);
      }
      // Bad data fails the same way every time: the job is failed for good, with the line and field in its reason.
      // The run row is written inside the processor; BullMQ moves the job to failed only after it throws.
      const failedJobs = async () =>
        (await queue.getFailed()).filter((j) => (j.data as { feedId: string }).feedId === 'bad-json');
      await waitFor(async () => (await failedJobs()).length >= 2, 'BullMQ to mark two bad-json jobs failed');
      const jobs = await failedJobs();
      for (const job of jobs) {
        expect(job.attemptsMade).toBe(1);
        expect(job.failedReason).toMatch(/\(line 3, field body: /);
      }
      expect(await written(db.database, 'bad-json', 'vneid_accounts_issued')).toEqual({ batches: [], observations: 0 });

      // The source is fixed: a later slot runs and writes.
      const lastFailed = Math.max(...failed.map((r) => Date.parse(r.slot)));
      server.on('/bad-json', streamed(goodJson, { contentType: 'application/json' }));
      await waitFor(
        async () =>
          (await runsOf(db.database, 'bad-json')).some(
            (r) => r.status === 'succeeded' && r.slot.getTime() > lastFailed,
          ),
        'a later slot of bad-json to succeed',
      );
      expect((await written(db.database, 'bad-json', 'vneid_accounts_issued')).observations).toBe(5);
    },
  );

  it(
    'answering an HTML page instead of JSON: ' + 'the run fails at line 1 of the body, and nothing is written',
    async () => {
      await waitFor(
        async () => (await runsOf(db.database, 'html-page'))[0]?.status === 'failed',
        'the html-page run to fail',
      );
      const [run, ...others] = await apiRuns('html-page');
      expect(others).toEqual([]);
      expect(run).toMatchObject({ status: 'failed', attempts: 1, error_code: 'invalid_source', inserted: 0 });
      expect(run!.error).toContain("not valid JSON: Unexpected token '<'");
      expect(run!.issues).toMatchObject([{ line: 1, field: 'body', code: 'invalid_json' }]);
      expect(server.hitsOf('/html-page')).toHaveLength(1);
    },
  );

  it(
    'answering a CSV without a mapped column: the run fails naming line 1 and the column, ' +
      'nothing is written, and the next slot still runs',
    async () => {
      await waitFor(
        async () => (await runsOf(db.database, 'bad-csv')).filter((r) => r.status === 'failed').length >= 2,
        'two failed slots of bad-csv',
      );
      const failed = (await apiRuns('bad-csv')).filter((r) => r.status === 'failed');
      for (const run of failed) {
        expect(run).toMatchObject({ attempts: 1, error_code: 'invalid_source', inserted: 0 });
        expect(run.error).toContain('the CSV header lacks "observed_on"');
        expect(run.issues).toMatchObject([{ line: 1, field: 'observed_on', code: 'missing_column' }]);
      }
      expect(await written(db.database, 'bad-csv', 'vneid_applications_received')).toEqual({
        batches: [],
        observations: 0,
      });

      const lastFailed = Math.max(...failed.map((r) => Date.parse(r.slot)));
      server.on('/bad-csv', streamed(csvLines(csvRecords), { contentType: 'text/csv' }));
      await waitFor(
        async () =>
          (await runsOf(db.database, 'bad-csv')).some((r) => r.status === 'succeeded' && r.slot.getTime() > lastFailed),
        'a later slot of bad-csv to succeed',
      );
      expect((await written(db.database, 'bad-csv', 'vneid_applications_received')).observations).toBe(6);
    },
  );
});
