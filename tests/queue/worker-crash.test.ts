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
  sleep,
  SourceServer,
  sourceRecords,
  spawnPacer,
  streamed,
  tempDir,
  uniquePrefix,
  waitFor,
  writeFeed,
  written,
  yearly,
  type PacerChild,
} from '../support/feed-fixtures.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { testRedisUrl } from '../support/services.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('crash');
const server = new SourceServer();
let queue: Queue;
let close: (obliterate?: boolean) => Promise<void> = async () => undefined;
let db: TestDatabase;
let jobsDir: string;

beforeAll(async () => {
  ({ queue, close } = openQueue(testRedisUrl, prefix));
  await server.start();
  db = await openTestDatabase('postgres', 'queue_crash');
  await applyShippedCatalog(db.database);
  jobsDir = await tempDir();
  for (const id of ['killed-mid-run', 'stopped-mid-run', 'handed-back']) {
    await writeFeed(jobsDir, {
      id,
      schedule: yearly,
      timeout: '30s',
      retries: { attempts: 2, backoff: '1s' },
      source: { type: 'http', url: server.url(`/${id}`), format: 'ndjson' },
    });
  }
});

afterAll(async () => {
  await killChildren();
  await close();
  await server.stop();
  await db?.drop();
  await removeTempDirs();
});

function startWorker(extra: Record<string, string> = {}): PacerChild {
  return spawnPacer(feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: testRedisUrl, extra }), [
    'start',
    '--roles',
    'worker',
  ]);
}

/** The worker (its pid, from the runs table) that claimed the feed's only run. */
async function claimedBy(feedId: string): Promise<number> {
  let worker: string | null = null;
  await waitFor(
    async () => (worker = (await runsOf(db.database, feedId))[0]?.worker ?? null) !== null,
    `a worker to claim ${feedId}`,
  );
  return Number(worker!.split(':').at(-1));
}

describe.runIf(available)('BullMQ workers and a run in flight', () => {
  it(
    'a worker killed with SIGKILL in the middle of a run: ' +
      'another worker retries the job and the observations are written once',
    async () => {
      const records = sourceRecords(40, 'vneid_accounts_issued');
      // About 3 s per run, so the kill lands in the middle.
      server.on('/killed-mid-run', streamed(ndjsonLines(records), { totalMs: 3_000 }));
      const workers = [startWorker(), startWorker()];
      await Promise.all(workers.map((w) => w.waitForOutput(/worker taking jobs/)));

      await queue.add(
        'feed',
        { feedId: 'killed-mid-run', slot: '2026-01-01T00:00:00.000Z', trigger: 'manual' },
        { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } },
      );
      await waitFor(() => server.hitsOf('/killed-mid-run').length === 1, 'the source to be read');
      const pid = await claimedBy('killed-mid-run');
      const victim = workers.find((w) => w.pid === pid)!;
      const survivor = workers.find((w) => w.pid !== pid)!;
      expect(victim).toBeDefined();
      await sleep(1_000);
      expect(server.hitsOf('/killed-mid-run')[0]!.completed).toBe(false);
      expect(await victim.stop('SIGKILL')).toBeNull();
      expect(victim.child.signalCode).toBe('SIGKILL');

      // The lock (4 s) lapses, the survivor finds the job stalled and runs it again.
      await waitFor(
        async () => (await runsOf(db.database, 'killed-mid-run'))[0]?.status === 'succeeded',
        'the retried run to succeed',
        40_000,
        200,
      );
      const [run, ...others] = await runsOf(db.database, 'killed-mid-run');
      expect(others).toEqual([]);
      expect(run).toMatchObject({
        status: 'succeeded',
        worker: expect.stringMatching(new RegExp(`:${survivor.pid}$`)),
      });
      expect(run!.attempts).toBeGreaterThanOrEqual(2);
      expect(Number(run!.received)).toBe(40);
      expect(Number(run!.inserted)).toBe(40);
      const hits = server.hitsOf('/killed-mid-run');
      expect(hits.length).toBeGreaterThanOrEqual(2);
      expect(hits.at(-1)!.completed).toBe(true);

      // Exactly once: one committed batch with every record, each observation once (what one clean run writes).
      const result = await written(db.database, 'killed-mid-run', 'vneid_accounts_issued');
      expect(result.batches).toEqual([
        { status: 'committed', inserted: 40, idempotency_key: 'feed/killed-mid-run/2026-01-01T00:00:00.000Z' },
      ]);
      expect(result.observations).toBe(40);
      expect(await survivor.stop()).toBe(0);
    },
  );

  it(
    'SIGTERM to a worker in the middle of a slow run: ' +
      'the run finishes within the grace period, then the worker exits 0',
    async () => {
      const records = sourceRecords(30, 'vneid_applications_received');
      server.on('/stopped-mid-run', streamed(ndjsonLines(records), { totalMs: 3_000 }));
      const worker = startWorker({ PACER_SHUTDOWN_GRACE_SECONDS: '10' });
      await worker.waitForOutput(/worker taking jobs/);
      await queue.add(
        'feed',
        { feedId: 'stopped-mid-run', slot: '2026-01-01T00:00:00.000Z', trigger: 'manual' },
        { attempts: 3 },
      );
      await waitFor(() => server.hitsOf('/stopped-mid-run').length === 1, 'the source to be read');
      expect(await claimedBy('stopped-mid-run')).toBe(worker.pid);
      await sleep(1_000);
      expect(server.hitsOf('/stopped-mid-run')[0]!.completed).toBe(false);

      const signalled = Date.now();
      expect(await worker.stop('SIGTERM')).toBe(0);
      // It waited for the run (about 2 s still to stream), not for the whole grace period.
      expect(Date.now() - signalled).toBeGreaterThan(1_000);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(worker.output()).not.toContain('handing them back');

      const [run, ...others] = await runsOf(db.database, 'stopped-mid-run');
      expect(others).toEqual([]);
      expect(run).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
      expect(Number(run!.inserted)).toBe(30);
      expect(server.hitsOf('/stopped-mid-run')).toHaveLength(1);
      expect(server.hitsOf('/stopped-mid-run')[0]!.completed).toBe(true);
      expect((await written(db.database, 'stopped-mid-run', 'vneid_applications_received')).observations).toBe(30);
    },
  );

  it(
    'SIGTERM to a worker whose run outlasts the grace period: ' +
      'it hands the job back, exits 0, and another worker runs it once',
    async () => {
      const records = sourceRecords(30, 'vneid_accounts_activated');
      server.on('/handed-back', streamed(ndjsonLines(records), { totalMs: 3_000 }));
      const first = startWorker({ PACER_SHUTDOWN_GRACE_SECONDS: '1' });
      await first.waitForOutput(/worker taking jobs/);
      await queue.add(
        'feed',
        { feedId: 'handed-back', slot: '2026-01-01T00:00:00.000Z', trigger: 'manual' },
        { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } },
      );
      await waitFor(() => server.hitsOf('/handed-back').length === 1, 'the source to be read');
      expect(await claimedBy('handed-back')).toBe(first.pid);

      const signalled = Date.now();
      expect(await first.stop('SIGTERM')).toBe(0);
      // It did not wait for the run: the source was still streaming when the worker exited. The time bound
      // is loose (1 s grace + exit) so a busy machine does not fail it; the stream state is the proof.
      expect(Date.now() - signalled).toBeLessThan(6_000);
      expect(first.output()).toContain('handing them back');
      expect(server.hitsOf('/handed-back')[0]!.completed).toBe(false);
      expect((await runsOf(db.database, 'handed-back'))[0]!.status).not.toBe('succeeded');
      expect((await written(db.database, 'handed-back', 'vneid_accounts_activated')).observations).toBe(0);

      const second = startWorker();
      await waitFor(
        async () => (await runsOf(db.database, 'handed-back'))[0]?.status === 'succeeded',
        'the handed-back job to run again',
        40_000,
        200,
      );
      const [run, ...others] = await runsOf(db.database, 'handed-back');
      expect(others).toEqual([]);
      expect(run).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        error: null,
        worker: expect.stringMatching(new RegExp(`:${second.pid}$`)),
      });
      const result = await written(db.database, 'handed-back', 'vneid_accounts_activated');
      expect(result.batches).toEqual([
        { status: 'committed', inserted: 30, idempotency_key: 'feed/handed-back/2026-01-01T00:00:00.000Z' },
      ]);
      expect(result.observations).toBe(30);
      expect(await second.stop()).toBe(0);
    },
  );
});
