import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import {
  feedEnv,
  killChildren,
  queueServicesAvailable,
  removeTempDirs,
  sleep,
  spawnPacer,
  tempDir,
  uniquePrefix,
} from '../support/feed-fixtures.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const available = await queueServicesAvailable();
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase('postgres', 'queue_unreachable');
  await applyShippedCatalog(db.database);
});

afterAll(async () => {
  await killChildren();
  await db?.drop();
  await removeTempDirs();
});

describe.runIf(available)('a worker whose Redis cannot be reached', () => {
  it('says so once naming REDIS_URL without its password, writes no heartbeat, and stops on SIGTERM', async () => {
    const dir = await tempDir();
    const heartbeat = path.join(dir, 'heartbeat');
    const graceSeconds = 2;
    const env = feedEnv({
      databaseUrl: db.url!,
      jobsDir: await tempDir(),
      prefix: uniquePrefix('unreachable'),
      redisUrl: 'redis://:secret@127.0.0.1:1',
      extra: { PACER_HEARTBEAT_FILE: heartbeat, PACER_SHUTDOWN_GRACE_SECONDS: String(graceSeconds) },
    });
    const worker = spawnPacer(env, ['start', '--roles', 'worker']);
    await worker.waitForOutput(/pacer|REDIS_URL|ioredis/, 45_000);
    // Long enough for several reconnection attempts (their backoff is capped at 2 s).
    await sleep(8_000);
    expect(worker.child.exitCode).toBeNull();

    const output = worker.output();
    expect(output).not.toContain('Unhandled error event');
    expect(output).not.toContain('secret');
    const naming = output.split('\n').filter((line) => line.includes('REDIS_URL'));
    expect(naming, output).toHaveLength(1);
    expect(naming[0]).toContain('redis://:***@127.0.0.1:1');
    expect(naming[0]).toMatch(/retrying/);
    // Not ready: the heartbeat a container health check reads is never written.
    expect(
      await stat(heartbeat).then(
        () => true,
        () => false,
      ),
    ).toBe(false);

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const limitMs = (graceSeconds + 10) * 1000;
    const exited = await Promise.race([worker.exited.then(() => true), sleep(limitMs).then(() => false)]);
    expect(exited, `still running ${limitMs} ms after SIGTERM:\n${worker.output()}`).toBe(true);
    expect(Date.now() - signalledAt).toBeLessThan(limitMs);
    expect(worker.child.exitCode).toBe(0);
  });
});
