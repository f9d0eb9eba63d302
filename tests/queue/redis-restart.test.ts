import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedEnv,
  queueServicesAvailable,
  killChildren,
  ndjsonLines,
  openQueue,
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
  written,
} from '../support/feed-fixtures.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('restart');
const server = new SourceServer();
let db: TestDatabase;
let redis: RedisChild;

beforeAll(async () => {
  await server.start();
  db = await openTestDatabase('postgres', 'queue_restart');
  await applyShippedCatalog(db.database);
  // Our own Redis, persisted (append-only file) as a production Redis is: a restart keeps the queue.
  redis = await RedisChild.start({ appendonly: true, dir: await tempDir('pacer-redis-') });
});

afterAll(async () => {
  await killChildren();
  await redis?.down();
  await server.stop();
  await db?.drop();
  await removeTempDirs();
});

async function clientCount(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    // Every connection but this one.
    return (
      String(await client.client('LIST'))
        .trim()
        .split('\n').length - 1
    );
  } finally {
    client.disconnect();
  }
}

describe.runIf(available)('Redis restarted under a scheduler and a worker', () => {
  it('both reconnect and the next slot runs', async () => {
    const jobsDir = await tempDir();
    await writeFeed(jobsDir, {
      id: 'ticker',
      schedule: { cron: '*/2 * * * * *', timezone: 'UTC' },
      source: { type: 'http', url: server.url('/ticker'), format: 'ndjson' },
    });
    server.on('/ticker', streamed(ndjsonLines(sourceRecords(3))));
    const env = feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: redis.url });
    const scheduler = spawnPacer(env, ['start', '--roles', 'scheduler']);
    const worker = spawnPacer(env, ['start', '--roles', 'worker']);
    await Promise.all([
      scheduler.waitForOutput(/feed schedules upserted/, 45_000),
      worker.waitForOutput(/worker taking jobs/, 45_000),
    ]);
    await waitFor(
      async () =>
        (await runsOf(db.database, 'ticker')).some((r) => r.trigger === 'schedule' && r.status === 'succeeded'),
      'a scheduled slot to run before the restart',
    );
    const clients = await clientCount(redis.url);
    expect(clients).toBeGreaterThanOrEqual(2);

    await redis.down();
    const downAt = Date.now();
    await sleep(3_000);
    await redis.up();
    const upAt = Date.now();

    // The worker takes the schedule's jobs again (the one due while Redis was down runs late): a slot after the
    // restart runs.
    await waitFor(
      async () =>
        (await runsOf(db.database, 'ticker')).some((r) => r.status === 'succeeded' && r.slot.getTime() >= upAt),
      'a slot after the restart to run',
      30_000,
      200,
    );
    const runs = await runsOf(db.database, 'ticker');
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    // Nothing ran while Redis was down.
    expect(runs.filter((r) => r.started_at.getTime() > downAt + 500 && r.started_at.getTime() < upAt - 500)).toEqual(
      [],
    );
    // Every slot wrote the same three observations: the later ones found them unchanged.
    expect((await written(db.database, 'ticker', 'vneid_accounts_issued')).observations).toBe(3);

    // Both processes are still up and connected again.
    expect(scheduler.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    await waitFor(
      async () => (await clientCount(redis.url)) >= clients,
      `${clients} connections back on Redis`,
      15_000,
      200,
    );
    const { queue, close } = openQueue(redis.url, prefix);
    try {
      expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['evaluation', 'feed:ticker']);
    } finally {
      await close(false);
    }
    expect(await worker.stop()).toBe(0);
    expect(await scheduler.stop()).toBe(0);
  });
});
