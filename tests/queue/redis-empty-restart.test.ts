import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import {
  feedEnv,
  killChildren,
  ndjsonLines,
  openQueue,
  queueServicesAvailable,
  RedisChild,
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
} from '../support/feed-fixtures.js';
import { freePort } from '../support/pacer-process.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('empty-restart');
const server = new SourceServer();
let db: TestDatabase;
let redis: RedisChild;

beforeAll(async () => {
  await server.start();
  db = await openTestDatabase('postgres', 'queue_empty_restart');
  await applyShippedCatalog(db.database);
  // Our own Redis without persistence: a restart brings it back empty.
  redis = await RedisChild.start();
});

afterAll(async () => {
  await killChildren();
  await redis?.down();
  await server.stop();
  await db?.drop();
  await removeTempDirs();
});

interface Ready {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function readiness(baseUrl: string): Promise<Ready | undefined> {
  return fetch(`${baseUrl}/readyz`).then(
    (r) => r.json() as Promise<Ready>,
    () => undefined,
  );
}

async function schedulerKeys(): Promise<string[]> {
  const { queue, close } = openQueue(redis.url, prefix);
  try {
    return (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
  } finally {
    await close(false);
  }
}

describe.runIf(available)('Redis restarted empty under a scheduler and a worker', () => {
  it(
    'the scheduler re-creates its schedulers, ' + 'the next slot runs, and it is unready while one is missing',
    async () => {
      const jobsDir = await tempDir();
      const source = { type: 'http', url: server.url('/ticker'), format: 'ndjson' };
      await writeFeed(jobsDir, { id: 'ticker', schedule: { cron: '*/2 * * * * *', timezone: 'UTC' }, source });
      server.on('/ticker', streamed(ndjsonLines(sourceRecords(3))));
      const env = feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: redis.url });
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const schedulerEnv = { ...env, PORT: String(port), HOST: '127.0.0.1', PACER_SCHEDULE_RECONCILE_SECONDS: '3' };
      const scheduler = spawnPacer(schedulerEnv, ['start', '--roles', 'api,scheduler']);
      const worker = spawnPacer(env, ['start', '--roles', 'worker']);
      await Promise.all([
        scheduler.waitForOutput(/feed schedules upserted/, 45_000),
        worker.waitForOutput(/worker taking jobs/, 45_000),
      ]);
      await waitFor(async () => (await readiness(baseUrl))?.ready === true, 'the scheduler to be ready');
      const ran = async (after: number) =>
        (await runsOf(db.database, 'ticker')).some((r) => r.status === 'succeeded' && r.slot.getTime() >= after);
      await waitFor(() => ran(0), 'a scheduled slot to run before the restart');

      // Redis down: not ready, naming Redis.
      await redis.down();
      let down: Ready | undefined;
      const failed = async () => (down = await readiness(baseUrl))?.ready === false;
      await waitFor(failed, 'readiness to fail while Redis is down');
      expect(down!.checks.redis).toMatchObject({ ok: false });
      await sleep(1_000);
      await redis.up();
      const upAt = Date.now();

      // Back empty: the schedulers exist again within a bounded time and the next slot runs.
      const allThere = async () => (await schedulerKeys()).join() === 'evaluation,feed:ticker';
      await waitFor(allThere, 'the schedulers again', 20_000);
      await waitFor(() => ran(upAt), 'a slot after the restart to run', 30_000, 200);
      await waitFor(async () => (await readiness(baseUrl))?.ready === true, 'ready again after the restart', 20_000);

      // A job scheduler lost while Redis stays up: not ready, naming it, until the next reconciliation.
      const { queue, close } = openQueue(redis.url, prefix);
      try {
        await queue.removeJobScheduler('feed:ticker');
      } finally {
        await close(false);
      }
      let missing: Ready | undefined;
      await waitFor(async () => (missing = await readiness(baseUrl))?.ready === false, 'readiness to fail', 10_000, 50);
      expect(missing!.checks.schedules).toEqual({
        ok: false,
        detail: 'job schedulers missing from Redis: feed:ticker',
      });
      await waitFor(allThere, 'feed:ticker re-created', 20_000);
      await waitFor(async () => (await readiness(baseUrl))?.ready === true, 'ready again', 20_000);
      expect(scheduler.output()).toMatch(/"schedulers":\["feed:ticker"\].*re-created job schedulers Redis had lost/);

      expect(scheduler.child.exitCode).toBeNull();
      expect(worker.child.exitCode).toBeNull();
      expect(await worker.stop()).toBe(0);
      expect(await scheduler.stop()).toBe(0);
    },
  );
});
