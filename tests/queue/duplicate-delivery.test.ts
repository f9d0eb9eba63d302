import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedEnv,
  queueServicesAvailable,
  killChildren,
  ndjsonLines,
  openQueue,
  removeTempDirs,
  runsOf,
  SourceServer,
  sourceRecords,
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
const prefix = uniquePrefix('duplicate');
const server = new SourceServer();
let queue: Queue;
let close: (obliterate?: boolean) => Promise<void> = async () => undefined;
let db: TestDatabase;
let pacer: RunningChild | undefined;

beforeAll(async () => {
  ({ queue, close } = openQueue(testRedisUrl, prefix));
  await server.start();
  db = await openTestDatabase('postgres', 'queue_duplicate');
  await applyShippedCatalog(db.database);
});

afterAll(async () => {
  await pacer?.stop('SIGKILL');
  await killChildren();
  await close();
  await server.stop();
  await db?.drop();
  await removeTempDirs();
});

describe.runIf(available)('a feed job delivered twice', () => {
  it(
    'the second delivery of a slot that succeeded is a recorded no-op: ' +
      'duplicates 1, counted on /metrics, nothing read or written',
    async () => {
      const jobsDir = await tempDir();
      await writeFeed(jobsDir, {
        id: 'twice',
        schedule: yearly,
        source: { type: 'http', url: server.url('/twice'), format: 'ndjson' },
      });
      server.on('/twice', streamed(ndjsonLines(sourceRecords(12))));
      // One process: the api (for /metrics), a worker, and the scheduler whose start enqueues the missed slot.
      pacer = await startPacer(feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: testRedisUrl }), {
        args: ['--roles', 'api,worker,scheduler'],
      });

      await waitFor(
        async () => (await runsOf(db.database, 'twice'))[0]?.status === 'succeeded',
        'the first delivery to run',
      );
      // The run row turns 'succeeded' inside the processor; BullMQ moves the job to completed only after it returns.
      const completedFeedJobs = async () => (await queue.getJobs(['completed'])).filter((j) => j.name === 'feed');
      await waitFor(async () => (await completedFeedJobs()).length > 0, 'BullMQ to mark the first delivery completed');
      const catchup = await completedFeedJobs();
      expect(catchup).toHaveLength(1);
      expect(catchup[0]!.id).toMatch(/^catchup:twice:\d+$/);
      const before = await written(db.database, 'twice', 'vneid_accounts_issued');
      expect(before.observations).toBe(12);
      expect(before.batches).toHaveLength(1);

      // Forced duplicate: the same data (feed and slot) as a new job, as an at-least-once queue may deliver it.
      const again = await queue.add('feed', catchup[0]!.data);
      await waitFor(async () => (await again.getState()) === 'completed', 'the duplicate job to complete');
      const done = await queue.getJob(again.id!);
      expect(done!.returnvalue).toEqual({ outcome: 'duplicate' });

      const [run, ...others] = await runsOf(db.database, 'twice');
      expect(others).toEqual([]);
      expect(run).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1, trigger: 'catchup' });
      expect(Number(run!.inserted)).toBe(12);
      expect(await written(db.database, 'twice', 'vneid_accounts_issued')).toEqual(before);
      expect(server.hitsOf('/twice')).toHaveLength(1);

      // /metrics renders from the runs table (cached up to 2 s).
      let exposition = '';
      await waitFor(
        async () =>
          /^kpi_feed_runs_total\{feed="twice",outcome="duplicate"\} 1$/m.test(
            (exposition = await (await fetch(`${pacer!.baseUrl}/metrics`)).text()),
          ),
        'the duplicate on /metrics',
        10_000,
        250,
      );
      expect(exposition).toMatch(/^kpi_feed_runs_total\{feed="twice",outcome="succeeded"\} 1$/m);
      expect(exposition).toMatch(/^kpi_feed_runs_total\{feed="twice",outcome="failed"\} 0$/m);
      expect(exposition).toMatch(/^kpi_feed_rows_total\{feed="twice",outcome="inserted"\} 12$/m);

      const runs = (await (await fetch(`${pacer.baseUrl}/v1/feeds/twice/runs`)).json()) as {
        items: { duplicates: number; status: string }[];
      };
      expect(runs.items).toMatchObject([{ status: 'succeeded', duplicates: 1 }]);
      expect(await pacer.stop()).toBe(0);
    },
  );
});
