import type { Queue } from 'bullmq';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedEnv,
  queueServicesAvailable,
  killChildren,
  openQueue,
  RedisChild,
  removeTempDirs,
  spawnPacer,
  tempDir,
  uniquePrefix,
  writeFeed,
  yearly,
} from '../support/feed-fixtures.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { testRedisUrl } from '../support/services.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('scheduler');
let db: TestDatabase;
let jobsDir: string;
let ownRedis: RedisChild | undefined;
let queue: Queue;
let close: (obliterate?: boolean) => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ queue, close } = openQueue(testRedisUrl, prefix));
  db = await openTestDatabase('postgres', 'queue_scheduler');
  await applyShippedCatalog(db.database);
  jobsDir = await tempDir();
  // Nothing takes these jobs (no worker): the source is never read.
  const source = { type: 'http', url: 'http://127.0.0.1:9/never', format: 'ndjson' };
  await writeFeed(jobsDir, { id: 'alpha', schedule: yearly, source });
  await writeFeed(jobsDir, { id: 'beta', schedule: { cron: '0 6 * * *', timezone: 'Asia/Ho_Chi_Minh' }, source });
  await writeFeed(jobsDir, { id: 'gamma-disabled', schedule: yearly, source, enabled: false });
});

afterAll(async () => {
  await killChildren();
  await ownRedis?.down();
  await close();
  await db?.drop();
  await removeTempDirs();
});

async function feedState() {
  const schedulers = (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
  const delayed = await queue.getDelayed();
  const delayedBy = (key: string) => delayed.filter((j) => j.repeatJobKey === key).length;
  const waiting = (await queue.getWaiting()).map((j) => j.id ?? '').sort();
  return { schedulers, delayed, delayedBy, waiting };
}

describe.runIf(available)('BullMQ scheduler start', () => {
  it(
    'four schedulers started at once leave exactly one ' + 'job scheduler and one delayed job per enabled feed',
    async () => {
      const env = feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: testRedisUrl });
      const schedulers = Array.from({ length: 4 }, () => spawnPacer(env, ['start', '--roles', 'scheduler']));
      await Promise.all(schedulers.map((s) => s.waitForOutput(/feed schedules upserted/, 45_000)));

      const state = await feedState();
      expect(state.schedulers).toEqual(['evaluation', 'feed:alpha', 'feed:beta']);
      expect(state.delayedBy('feed:alpha')).toBe(1);
      expect(state.delayedBy('feed:beta')).toBe(1);
      expect(state.delayedBy('evaluation')).toBe(1);
      expect(state.delayed).toHaveLength(3);
      // Each feed's missed previous slot is enqueued once, whichever scheduler got there first.
      expect(state.waiting).toHaveLength(2);
      expect(state.waiting[0]).toMatch(/^catchup:alpha:\d+$/);
      expect(state.waiting[1]).toMatch(/^catchup:beta:\d+$/);

      for (const s of schedulers) expect(await s.stop('SIGTERM')).toBe(0);
      for (const s of schedulers) expect(s.output()).not.toMatch(/"level":(50|60)/);
    },
  );

  it('a feed removed from jobs/ loses its scheduler and its delayed job at the next scheduler start', async () => {
    expect((await feedState()).schedulers).toContain('feed:beta');
    await rm(path.join(jobsDir, 'beta.yaml'));
    const scheduler = spawnPacer(feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: testRedisUrl }), [
      'start',
      '--roles',
      'scheduler',
    ]);
    await scheduler.waitForOutput(/feed schedules upserted/);
    expect(scheduler.output()).toMatch(/"scheduler":"feed:beta".*removed the schedule of a feed no longer in jobs\//);

    const state = await feedState();
    expect(state.schedulers).toEqual(['evaluation', 'feed:alpha']);
    expect(state.delayedBy('feed:beta')).toBe(0);
    expect(state.delayedBy('feed:alpha')).toBe(1);
    expect(await scheduler.stop()).toBe(0);
  });

  it('refuses to start on a Redis whose maxmemory-policy evicts keys, saying why', async () => {
    ownRedis = await RedisChild.start({ policy: 'allkeys-lru' });
    const scheduler = spawnPacer(feedEnv({ databaseUrl: db.url!, jobsDir, prefix, redisUrl: ownRedis.url }), [
      'start',
      '--roles',
      'scheduler',
    ]);
    const code = await scheduler.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(scheduler.output()).toContain('maxmemory-policy is "allkeys-lru"');
    expect(scheduler.output()).toContain('BullMQ needs "noeviction"');
    // Nothing was written to that Redis: no scheduler, no job.
    const { queue: evicting, redis, close: closeEvicting } = openQueue(ownRedis.url, prefix);
    try {
      expect(await evicting.getJobSchedulersCount()).toBe(0);
      expect(await evicting.count()).toBe(0);
      // Only the metadata key the test's own Queue writes on connecting, if any.
      expect((await redis.keys('*')).filter((k) => !k.endsWith(':meta'))).toEqual([]);
    } finally {
      await closeEvicting(false);
    }
  });
});
