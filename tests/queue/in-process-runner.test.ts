import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvLines,
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
  status,
  streamed,
  tempDir,
  uniquePrefix,
  waitFor,
  writeFeed,
  yearly,
} from '../support/feed-fixtures.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { testRedisUrl } from '../support/services.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import type { Database } from '../../src/storage/database.js';

const available = await queueServicesAvailable();
const prefix = uniquePrefix('inprocess');
const server = new SourceServer();
let close: (obliterate?: boolean) => Promise<void> = async () => undefined;
const databases: TestDatabase[] = [];
const running: RunningChild[] = [];

async function database(name: string): Promise<TestDatabase> {
  const db = await openTestDatabase('postgres', name);
  databases.push(db);
  await applyShippedCatalog(db.database);
  return db;
}

async function start(env: Record<string, string | undefined>, roles?: string): Promise<RunningChild> {
  const child = await startPacer(env, roles ? { args: ['--roles', roles] } : {});
  running.push(child);
  return child;
}

beforeAll(async () => {
  ({ close } = openQueue(testRedisUrl, prefix));
  await server.start();
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop('SIGKILL')));
  await killChildren();
  await close();
  await server.stop();
  await Promise.all(databases.map((d) => d.drop()));
  await removeTempDirs();
});

/** What a run left, without what differs by nature between two databases (ids, times, worker). */
async function outcome(database: Database, feedId: string) {
  const runs = (await runsOf(database, feedId)).map((r) => ({
    slot: r.slot.toISOString(),
    trigger: r.trigger,
    status: r.status,
    attempts: r.attempts,
    duplicates: r.duplicates,
    received: Number(r.received),
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    unchanged: Number(r.unchanged),
    rejected: Number(r.rejected),
    batches: r.batch_ids.length,
    error: r.error,
  }));
  const observations = await database.db
    .selectFrom('observations as o')
    .innerJoin('regions as r', 'r.id', 'o.region_id')
    .select(['o.indicator_id', 'r.code', 'o.observed_at', 'o.value', 'o.dims'])
    .orderBy('o.indicator_id')
    .orderBy('o.observed_at')
    .execute();
  return {
    runs,
    observations: observations.map((o) => ({ ...o, observed_at: o.observed_at.toISOString(), value: Number(o.value) })),
  };
}

describe.runIf(available)('the in-process runner (no REDIS_URL)', () => {
  it('runs the same feed to the same result as the BullMQ scheduler and worker', async () => {
    const jobsDir = await tempDir();
    const records = sourceRecords(20, 'chip_id_cards_issued');
    await writeFeed(jobsDir, {
      id: 'same-feed',
      schedule: yearly,
      indicators: ['chip_id_*'],
      source: { type: 'http', url: server.url('/same-feed'), format: 'csv' },
      mapping: { indicator: 'indicator', region: 'region', observed_at: 'observed_on', value: 'value' },
    });
    server.on('/same-feed', streamed(csvLines(records), { contentType: 'text/csv' }));

    const [queued, inProcess] = [await database('queue_same_bullmq'), await database('queue_same_inproc')];
    const bullmq = await start(
      feedEnv({ databaseUrl: queued.url!, jobsDir, prefix, redisUrl: testRedisUrl }),
      'api,worker,scheduler',
    );
    const local = await start(feedEnv({ databaseUrl: inProcess.url!, jobsDir, prefix }));
    for (const db of [queued, inProcess])
      await waitFor(
        async () => (await runsOf(db.database, 'same-feed'))[0]?.status === 'succeeded',
        'the catch-up run',
      );
    expect(bullmq.output()).toContain('feed schedules upserted');
    expect(local.output()).toContain('feeds scheduled in process');
    expect(local.output()).not.toContain('feed schedules upserted');

    const viaQueue = await outcome(queued.database, 'same-feed');
    const viaCron = await outcome(inProcess.database, 'same-feed');
    expect(viaQueue.runs).toEqual([
      {
        slot: '2026-01-01T00:00:00.000Z',
        trigger: 'catchup',
        status: 'succeeded',
        attempts: 1,
        duplicates: 0,
        received: 20,
        inserted: 20,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        batches: 1,
        error: null,
      },
    ]);
    expect(viaCron.runs).toEqual(viaQueue.runs);
    expect(viaQueue.observations).toHaveLength(20);
    expect(viaCron.observations).toEqual(viaQueue.observations);
    // Two processes, two databases, one source: it was read once by each.
    expect(server.hitsOf('/same-feed')).toHaveLength(2);
  });

  it("retries a source answering 500 then 200 after the feed's backoff, as the BullMQ workers do", async () => {
    const jobsDir = await tempDir();
    await writeFeed(jobsDir, {
      id: 'flaky-local',
      schedule: yearly,
      retries: { attempts: 2, backoff: '1s' },
      source: { type: 'http', url: server.url('/flaky-local'), format: 'ndjson' },
    });
    let calls = 0;
    const good = streamed(ndjsonLines(sourceRecords(4, 'vneid_applications_received')));
    server.on('/flaky-local', (request, response, hit) =>
      ++calls === 1 ? status(500)(request, response, hit) : good(request, response, hit),
    );
    const db = await database('queue_flaky_local');
    await start(feedEnv({ databaseUrl: db.url!, jobsDir, prefix }), 'scheduler,api');

    await waitFor(
      async () => (await runsOf(db.database, 'flaky-local'))[0]?.status === 'succeeded',
      'the flaky feed to succeed',
    );
    const hits = server.hitsOf('/flaky-local');
    expect(hits.map((h) => h.status)).toEqual([500, 200]);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(1_000);
    const [run, ...others] = await runsOf(db.database, 'flaky-local');
    expect(others).toEqual([]);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 2, trigger: 'catchup', error: null });
    expect(Number(run!.inserted)).toBe(4);
  });

  it('never overlaps a feed whose run is slower than its period, and logs the slots it skips', async () => {
    const jobsDir = await tempDir();
    await writeFeed(jobsDir, {
      id: 'slow-every-second',
      schedule: { cron: '* * * * * *', timezone: 'UTC' },
      timeout: '20s',
      source: { type: 'http', url: server.url('/slow'), format: 'ndjson' },
    });
    // Each read takes about 3 s; the schedule fires every second.
    server.on('/slow', streamed(ndjsonLines(sourceRecords(15, 'vneid_accounts_activated')), { totalMs: 3_000 }));
    const db = await database('queue_overlap');
    const pacer = await start(feedEnv({ databaseUrl: db.url!, jobsDir, prefix }), 'scheduler,api');

    await waitFor(
      () => server.hitsOf('/slow').filter((h) => h.completed).length >= 2,
      'two runs of the slow feed',
      20_000,
    );
    await sleep(1_500);
    expect(await pacer.stop()).toBe(0);

    const hits = server.hitsOf('/slow');
    expect(hits.length).toBeGreaterThanOrEqual(2);
    expect(server.maxConcurrent('/slow')).toBe(1);
    const runs = (await runsOf(db.database, 'slow-every-second')).sort(
      (a, b) => a.started_at.getTime() - b.started_at.getTime(),
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i - 1]!.finished_at, `run ${i - 1} finished`).not.toBeNull();
      expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at!.getTime());
    }
    expect(runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
    const skipped = pacer
      .output()
      .split('\n')
      .filter((l) => l.includes('previous run still going: slot skipped') && l.includes('"feed":"slow-every-second"'));
    expect(skipped.length).toBeGreaterThanOrEqual(2);
  });
});
