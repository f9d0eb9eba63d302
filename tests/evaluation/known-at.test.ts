import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { InputError } from '../../src/errors/pacer-error.js';
import { EvaluationRepository } from '../../src/evaluation/evaluation-repository.js';
import { EvaluationService, type EvaluationSnapshot } from '../../src/evaluation/evaluation-service.js';
import type { TargetResult } from '../../src/evaluation/evaluation-store.js';
import { createLogger } from '../../src/logging/logger.js';
import * as knownAtMigration from '../../src/storage/migrations/0012-known-at.js';
import { seedObservations, type PushRecord } from '../support/seed-observations.js';
import { seededRandom } from '../support/seeded-random.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

/*
 * Two time axes: `asOf` (valid time: values dated up to it) and `knownAt` (transaction time: only
 * what Pacer had recorded by then, each value as it stood then). A batch is recorded at its start
 * (the ingestor's clock, set here to days long past), so a correction "a month later" is one.
 */
const backends = await testBackends();

const provinces = ['XX-1', 'XX-2', 'XX-3'];

async function writeCatalog(dir: string): Promise<void> {
  await writeFile(
    path.join(dir, 'regions.yaml'),
    [
      'apiVersion: pacer/v1',
      'kind: RegionSet',
      'id: xx',
      'name: Testland',
      'timezone: UTC',
      'levels: [nation, province]',
      'root: { code: XX, name: Testland }',
      'units:',
      '  - { file: provinces.csv, level: province }',
    ].join('\n') + '\n',
  );
  await writeFile(
    path.join(dir, 'provinces.csv'),
    'code,name,parent,valid_from,valid_to\n' + provinces.map((p) => `${p},${p},XX,,`).join('\n') + '\n',
  );
  const target = (id: string, region: string, value: number, due: string, indicator = 'a') =>
    `  - ${JSON.stringify({
      id,
      title: id,
      indicator,
      region,
      owner: 'Owner',
      source: 'test',
      baseline: { value: 0, date: '2023-01-01' },
      target: value,
      due,
      direction: 'at_least',
    })}`;
  await writeFile(
    path.join(dir, 'catalog.yaml'),
    [
      'apiVersion: pacer/v1',
      'kind: IndicatorSet',
      'indicators:',
      '  - { id: a, name: a, unit: things, kind: level, rollup: sum, update_interval: 90d }',
      '  - { id: b, name: b, unit: things, kind: level, rollup: mean, update_interval: 90d }',
      '---',
      'apiVersion: pacer/v1',
      'kind: Directive',
      'id: d',
      'title: Two axes',
      'issuer: Test',
      'issued: 2023-01-01',
      'timezone: UTC',
      'targets:',
      // On its own series: its status as of the end of May depends on the April value.
      target('direct', 'XX-1', 120, '2023-12'),
      // Rolled up from the provinces (a sum of all three).
      target('rolled', 'XX', 360, '2023-12'),
      // Due at the end of March: judged on the value at its deadline.
      target('past', 'XX-2', 50, '2023-03'),
      // For the random histories below.
      target('b-nation', 'XX', 60, '2023-09', 'b'),
      target('b-1', 'XX-1', 80, '2023-06', 'b'),
      target('b-2', 'XX-2', 40, '2023-12', 'b'),
      target('b-3', 'XX-3', 70, '2024-03', 'b'),
    ].join('\n') + '\n',
  );
}

const logger = createLogger({ level: 'silent', pretty: false });
const at = (day: string) => new Date(`${day}T23:59:59.999Z`);
const a = (region: string, observed_at: string, value: number): PushRecord => ({
  indicator: 'a',
  region,
  observed_at,
  value,
});

async function openCatalogDatabase(backend: TestDatabase['backend'], prefix: string): Promise<TestDatabase> {
  const t = await openTestDatabase(backend, prefix);
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-known-at-'));
  try {
    await writeCatalog(dir);
    await applyCatalog(new CatalogRepository(t.database.db), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return t;
}

const byId = (snapshot: EvaluationSnapshot, id: string): TargetResult =>
  snapshot.results.find((r) => r.target.id === id)!;

/** Instants are stored to the millisecond (a projected completion is computed to a fraction of one). */
const ms = (x: number | null) => (x === null ? null : Math.trunc(x));

/** What a stored run keeps of a result: the columns of `evaluations`. */
function stored(r: TargetResult) {
  return {
    target: r.target.id,
    status: r.status,
    reason: r.reason,
    explanations: r.explanations,
    achievedLate: r.achievedLate,
    achievedAt: ms(r.achievedAt),
    current: r.current,
    currentAt: ms(r.currentAt),
    currentSource: r.currentSource,
    expected: r.expected,
    progress: r.progress,
    expectedProgress: r.expectedProgress,
    projected: r.projected,
    forecastNow: r.forecastNow,
    projectedCompletionAt: ms(r.projectedCompletionAt),
    coverage: r.coverage,
    valueAtDeadline: r.valueAtDeadline,
    partial: r.partial,
    attainmentProbability: r.attainmentProbability,
    projectedLow: r.projectedLow,
    projectedHigh: r.projectedHigh,
  };
}
const storedAll = (results: readonly TargetResult[]) =>
  [...results].sort((x, y) => x.target.id.localeCompare(y.target.id)).map(stored);

/**
 * The figures of the least-squares fit. The database sums the fit over the rows in the order it reads them, and
 * the rows of values as known then come in another order than those of the table (or of another table holding
 * the same values), so these agree to the last bits of a double, not bit for bit; everything else is exact.
 */
const fitted = [
  'forecastNow',
  'projected',
  'projectedLow',
  'projectedHigh',
  'attainmentProbability',
  'projectedCompletionAt',
] as const;

/** Asserts two lists of results are the same target for target: exactly, the fitted figures to rounding. */
function expectSameResults(actual: readonly TargetResult[], expected: readonly TargetResult[], message?: string) {
  const [x, y] = [storedAll(actual), storedAll(expected)];
  const exact = (rs: typeof x) =>
    rs.map((r) => ({ ...r, ...Object.fromEntries(fitted.map((k) => [k, r[k] === null ? null : 'a number'])) }));
  expect(exact(x), message).toEqual(exact(y));
  x.forEach((r, i) => {
    for (const k of fitted) {
      const [p, q] = [r[k], y[i]![k]];
      if (p === null || q === null) continue;
      expect(Math.abs(p - q), `${message ?? ''} ${r.target}.${k}: ${p} against ${q}`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(p), Math.abs(q)),
      );
    }
  });
}

const sortedValues = (snapshot: EvaluationSnapshot) =>
  [...snapshot.indicatorValues].sort((x, y) => x.indicatorId.localeCompare(y.indicatorId) || x.regionId - y.regionId);

/** Asserts two evaluations agree on every target (see {@link expectSameResults}) and every indicator value. */
function expectSameSnapshot(actual: EvaluationSnapshot, expected: EvaluationSnapshot, message?: string) {
  expectSameResults(actual.results, expected.results, message);
  expect(sortedValues(actual), message).toEqual(sortedValues(expected));
}

describe.each(backends)('evaluation as known at an instant on %s', (backend) => {
  let t: TestDatabase;
  let service: EvaluationService;
  const asOf = at('2023-05-31');

  beforeAll(async () => {
    t = await openCatalogDatabase(backend, 'known_at');
    service = new EvaluationService({ store: new EvaluationRepository(t.database.db), logger });
    const push = (records: PushRecord[], clock: string) =>
      seedObservations(t.database, records, { now: new Date(clock) });
    await push([a('XX-1', '2023-01-31', 10)], '2023-02-05T08:00:00Z');
    await push(
      [
        a('XX-1', '2023-02-28', 20),
        a('XX-1', '2023-03-31', 30),
        a('XX-2', '2023-03-31', 40),
        a('XX-3', '2023-03-31', 5),
      ],
      '2023-04-02T08:00:00Z',
    );
    // The April figures, pushed on 2 May: XX-1 far behind the pace of 120 by the end of the year.
    await push([a('XX-1', '2023-04-30', 20), a('XX-2', '2023-04-30', 45)], '2023-05-02T08:00:00Z');
    // A month later, corrections: XX-1's April figure was 42 (on the pace); XX-2 met its March target after all.
    await push([a('XX-1', '2023-04-30', 42), a('XX-2', '2023-03-31', 55)], '2023-06-02T08:00:00Z');
  });
  afterAll(() => t?.drop());

  it('gives the status known before a correction and the one after it, for the same as-of date', async () => {
    const before = await service.compute(asOf, { knownAt: new Date('2023-05-15T00:00:00Z') });
    const after = await service.compute(asOf, { knownAt: new Date('2023-06-15T00:00:00Z') });
    const now = await service.compute(asOf);
    expect(byId(before, 'direct')).toMatchObject({ current: 20, status: 'off_track' });
    expect(byId(after, 'direct')).toMatchObject({ current: 42, status: 'on_track' });
    // Without knownAt: every correction recorded, as before.
    expectSameSnapshot(now, after);
    expect(before.knownAt).toEqual(new Date('2023-05-15T00:00:00Z'));
    expect(now.knownAt).toBeUndefined();
    // The forecast is fitted on the values known then.
    expect(byId(before, 'direct').projected).not.toBe(byId(after, 'direct').projected);
  });

  it('reads rollups, coverage and indicator values as known then', async () => {
    const before = await service.compute(asOf, { knownAt: new Date('2023-05-15T00:00:00Z') });
    const after = await service.compute(asOf, { knownAt: new Date('2023-06-15T00:00:00Z') });
    expect(byId(before, 'rolled')).toMatchObject({ current: 20 + 45 + 5, currentSource: 'children', coverage: 1 });
    expect(byId(after, 'rolled')).toMatchObject({ current: 42 + 45 + 5, coverage: 1 });
    // On 1 March only XX-1 had reported (its January figure): a third of the parts.
    const march = await service.compute(asOf, { knownAt: new Date('2023-03-01T00:00:00Z') });
    expect(byId(march, 'rolled')).toMatchObject({
      status: 'no_data',
      reason: 'incomplete_coverage',
      current: 10,
      partial: true,
    });
    expect(byId(march, 'rolled').coverage).toBeCloseTo(1 / 3);
    expect(byId(march, 'direct')).toMatchObject({ current: 10, currentAt: Date.parse('2023-01-31T23:59:59.999Z') });
    const nation = (s: EvaluationSnapshot) =>
      s.indicatorValues.find((v) => v.indicatorId === 'a' && v.regionCode === 'XX')?.value;
    expect([nation(march), nation(before), nation(after)]).toEqual([10, 70, 92]);
  });

  it('judges a passed deadline on the value at it as known then', async () => {
    const june = at('2023-06-30');
    const before = await service.compute(june, { knownAt: new Date('2023-05-15T00:00:00Z') });
    const after = await service.compute(june, { knownAt: new Date('2023-06-15T00:00:00Z') });
    expect(byId(before, 'past')).toMatchObject({ status: 'missed', valueAtDeadline: 40, achievedLate: false });
    expect(byId(after, 'past')).toMatchObject({ status: 'achieved', valueAtDeadline: 55 });
  });

  it('knows nothing before the first value was recorded, and takes a known-at date before the as-of date', async () => {
    const nothing = await service.compute(asOf, { knownAt: new Date('2023-02-01T00:00:00Z') });
    expect(nothing.results.map((r) => r.current)).toEqual(nothing.results.map(() => null));
    expect(byId(nothing, 'direct').status).toBe('no_data');
    expect(nothing.indicatorValues).toEqual([]);
    // Valid time later than transaction time: values dated up to the end of 2023, as known on 15 April.
    const early = await service.compute(at('2023-12-31'), { knownAt: new Date('2023-04-15T00:00:00Z') });
    expect(byId(early, 'direct')).toMatchObject({ current: 30 });
  });

  it('counts the whole millisecond of the known-at instant', async () => {
    const recorded = new Date('2023-05-02T08:00:00Z');
    const justBefore = await service.compute(asOf, { knownAt: new Date(recorded.getTime() - 1) });
    const exactly = await service.compute(asOf, { knownAt: recorded });
    expect(byId(justBefore, 'direct').current).toBe(30);
    expect(byId(exactly, 'direct').current).toBe(20);
  });

  it('refuses a known-at instant in the future, and storing an evaluation as known then', async () => {
    const future = new Date(Date.now() + 60_000);
    const refused = await service.compute(asOf, { knownAt: future }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect(refused).toMatchObject({ issues: [{ code: 'future_known_at', field: 'known_at' }] });
    const stored = await service.evaluate({ asOf, knownAt: new Date('2023-05-15T00:00:00Z') }).catch((e: unknown) => e);
    expect(stored).toMatchObject({ issues: [{ code: 'known_at_not_stored' }] });
    // As the backtest calls it: computed, not stored.
    const summary = await service.evaluate({ asOf, knownAt: new Date('2023-05-15T00:00:00Z'), persist: false });
    expect(summary).toMatchObject({ runId: null, targets: 7, knownAt: new Date('2023-05-15T00:00:00Z') });
  });

  it('keeps, for each replaced value, when it was recorded and when it was replaced', async () => {
    const rows = await t.database.db
      .selectFrom('observation_revisions')
      .select(['observed_at', 'old_value', 'new_value', 'old_recorded_at', 'revised_at'])
      .orderBy('observed_at')
      .execute();
    expect(rows).toEqual([
      {
        observed_at: at('2023-03-31'),
        old_value: 40,
        new_value: 55,
        old_recorded_at: new Date('2023-04-02T08:00:00Z'),
        revised_at: new Date('2023-06-02T08:00:00Z'),
      },
      {
        observed_at: at('2023-04-30'),
        old_value: 20,
        new_value: 42,
        old_recorded_at: new Date('2023-05-02T08:00:00Z'),
        revised_at: new Date('2023-06-02T08:00:00Z'),
      },
    ]);
  });

  it('writes no history for a bulk re-send that changes nothing, one revision for the one value changed', async () => {
    const days = Array.from({ length: 1_250 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000));
    // 2,500 rows: past the size at which PostgreSQL's ingest copies a chunk instead of sending arrays.
    const bulk = days.flatMap((d, i) => [
      { indicator: 'b', region: 'XX-1', observed_at: d.toISOString().slice(0, 10), value: i },
      { indicator: 'b', region: 'XX-2', observed_at: d.toISOString().slice(0, 10), value: 2 * i },
    ]);
    const count = async () =>
      (
        await sql<{ revisions: number; recorded: Date }>`
          select (select count(*)::int from observation_revisions) as revisions,
                 (select max(recorded_at) from observations where indicator_id = 'b') as recorded`.execute(
          t.database.db,
        )
      ).rows[0]!;
    await seedObservations(t.database, bulk, { now: new Date('2023-07-01T00:00:00Z') });
    const first = await count();
    expect(first.recorded).toEqual(new Date('2023-07-01T00:00:00Z'));
    const again = await seedObservations(t.database, bulk, { now: new Date('2023-08-01T00:00:00Z') });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: bulk.length });
    expect(await count()).toEqual(first);
    const changed = bulk.map((r, i) => (i === 100 ? { ...r, value: r.value + 1 } : r));
    expect(await seedObservations(t.database, changed, { now: new Date('2023-09-01T00:00:00Z') })).toMatchObject({
      updated: 1,
      unchanged: bulk.length - 1,
    });
    const after = await count();
    expect(after.revisions).toBe(first.revisions + 1);
    const revision = await t.database.db
      .selectFrom('observation_revisions')
      .select(['old_value', 'new_value', 'old_recorded_at', 'revised_at'])
      .where('indicator_id', '=', 'b')
      .executeTakeFirstOrThrow();
    expect(revision).toEqual({
      old_value: bulk[100]!.value,
      new_value: bulk[100]!.value + 1,
      old_recorded_at: new Date('2023-07-01T00:00:00Z'),
      revised_at: new Date('2023-09-01T00:00:00Z'),
    });
    await sql`delete from observations where indicator_id = 'b'`.execute(t.database.db);
    await sql`delete from observation_revisions where indicator_id = 'b'`.execute(t.database.db);
  });
});

describe.each(backends)('reproducing a stored evaluation on %s', (backend) => {
  let t: TestDatabase;
  let service: EvaluationService;
  let store: EvaluationRepository;

  beforeAll(async () => {
    t = await openCatalogDatabase(backend, 'known_at_snapshot');
    store = new EvaluationRepository(t.database.db);
    service = new EvaluationService({ store, logger });
    await seedObservations(
      t.database,
      [
        a('XX-1', '2023-01-31', 10),
        a('XX-1', '2023-04-30', 20),
        a('XX-2', '2023-03-31', 40),
        a('XX-3', '2023-03-31', 5),
        { indicator: 'b', region: 'XX-1', observed_at: '2023-04-30', value: 30 },
        { indicator: 'b', region: 'XX-2', observed_at: '2023-04-30', value: 10 },
      ],
      { now: new Date('2023-05-02T00:00:00Z') },
    );
  });
  afterAll(() => t?.drop());

  it('gives a stored run’s results again, target for target, as known when it ran, after corrections', async () => {
    const runs = [
      await service.evaluate({ asOf: at('2023-05-31') }),
      await service.evaluate({ asOf: at('2023-06-30') }),
      // As of now: its own start.
      await service.evaluate(),
    ];
    // After the runs (the ingest's clock is the real one): corrections, a first value, and an identical re-send.
    await seedObservations(t.database, [
      a('XX-1', '2023-04-30', 42),
      a('XX-2', '2023-03-31', 55),
      a('XX-3', '2023-03-31', 5),
      a('XX-3', '2023-05-31', 60),
      { indicator: 'b', region: 'XX-3', observed_at: '2023-05-01', value: 70 },
      { indicator: 'b', region: 'XX-1', observed_at: '2023-04-30', value: 90 },
    ]);
    for (const summary of runs) {
      const run = (await store.runResults(summary.runId!))!;
      expect(run.results).toHaveLength(7);
      const again = await service.compute(run.asOf, { knownAt: run.startedAt });
      expectSameResults(again.results, run.results, `run ${summary.runId}`);
      // The corrections do change the evaluation of the same date with everything known now.
      const now = await service.compute(run.asOf);
      expect(storedAll(now.results)).not.toEqual(storedAll(run.results));
      expect(byId(now, 'direct').current).toBe(42);
      expect(run.results.find((r) => r.target.id === 'direct')!.current).toBe(20);
    }
  });
});

/*
 * The definition, checked on random histories: the evaluation of a database as known at T is the
 * evaluation of a database that received only the batches recorded by T. Batches add values,
 * correct earlier ones (some several times) and re-send identical ones; a second database replays
 * them in order, and at each T the two agree on every target and every indicator value.
 */
describe.each(backends)('as known at T, against a replay of the batches recorded by T, on %s', (backend) => {
  const SEED = 20_231_201;
  const BATCHES = 24;
  let all: TestDatabase;
  let replay: TestDatabase;

  beforeAll(async () => {
    [all, replay] = await Promise.all([
      openCatalogDatabase(backend, 'known_at_all'),
      openCatalogDatabase(backend, 'known_at_replay'),
    ]);
  });
  afterAll(async () => {
    await all?.drop();
    await replay?.drop();
  });

  it('agrees on every target and indicator value at every instant', async () => {
    const random = seededRandom(SEED);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
    const regions = ['XX', ...provinces];
    const batches: { clock: Date; records: PushRecord[] }[] = [];
    const sent: PushRecord[] = [];
    let clock = Date.UTC(2023, 0, 15);
    for (let i = 0; i < BATCHES; i++) {
      clock += int(1, 20) * 86_400_000 + int(0, 86_399_999);
      const records = new Map<string, PushRecord>();
      for (let n = int(1, 8); n > 0; n--) {
        const again = sent.length > 0 && random() < 0.4 ? pick(sent) : undefined;
        const record: PushRecord = again
          ? // A correction, or the same value again.
            { ...again, value: random() < 0.7 ? int(0, 100) : again.value }
          : {
              indicator: pick(['a', 'b']),
              region: pick(regions),
              // Dated up to the day before the batch (a value is not reported before its date).
              observed_at: new Date(
                Date.UTC(2022, 11, 1) + int(0, Math.floor((clock - Date.UTC(2022, 11, 2)) / 86_400_000)) * 86_400_000,
              )
                .toISOString()
                .slice(0, 10),
              value: int(0, 100),
            };
        records.set(`${record.indicator}|${record.region}|${record.observed_at}`, record);
      }
      batches.push({ clock: new Date(clock), records: [...records.values()] });
      sent.push(...records.values());
    }
    for (const b of batches) await seedObservations(all.database, b.records, { now: b.clock });
    const known = new EvaluationService({ store: new EvaluationRepository(all.database.db), logger });
    const replayed = new EvaluationService({ store: new EvaluationRepository(replay.database.db), logger });
    const revisions = await all.database.db.selectFrom('observation_revisions').select('id').execute();
    expect(revisions.length, 'the histories correct values').toBeGreaterThan(10);
    let statuses = new Set<string>();
    for (const [i, b] of batches.entries()) {
      await seedObservations(replay.database, b.records, { now: b.clock });
      // Just before the next batch was recorded.
      const knownAt = new Date((batches[i + 1]?.clock.getTime() ?? Date.now()) - 1);
      for (const asOf of [at('2023-06-30'), at('2023-12-31'), at('2024-06-30')]) {
        const expected = await replayed.compute(asOf);
        const actual = await known.compute(asOf, { knownAt });
        expectSameSnapshot(actual, expected, `batch ${i}, as of ${asOf.toISOString()}`);
        statuses = new Set([...statuses, ...actual.results.map((r) => r.status)]);
      }
    }
    expect(statuses.size, 'the histories give the targets several statuses').toBeGreaterThan(3);
  });
});

describe.each(backends)('migration 0012-known-at on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(backend, 'known_at_migration');
  });
  afterAll(() => t?.drop());

  it('gives revisions stored before it the instant their old value had been recorded', async () => {
    const db = t.database.db;
    await knownAtMigration.down(db as Kysely<unknown>);
    const batch = async (startedAt: string) =>
      (
        await sql<{ id: number }>`insert into ingest_batches (source, status, started_at)
          values ('cli', 'committed', ${new Date(startedAt)}) returning id`.execute(db)
      ).rows[0]!.id;
    const [b1, b2, b3] = [
      await batch('2023-01-01T00:00:00Z'),
      await batch('2023-02-01T00:00:00Z'),
      await batch('2023-03-01T00:00:00Z'),
    ];
    const revision = (observed: string, old: number, oldBatch: number | null, newBatch: number, revised: string) =>
      sql`insert into observation_revisions
            (indicator_id, region_id, observed_at, dims, old_value, new_value, old_batch_id, new_batch_id, revised_at)
          values ('a', 1, ${new Date(observed)}, '{}', ${old}, ${old + 1}, ${oldBatch}, ${newBatch},
                  ${new Date(revised)})`.execute(db);
    // One value written by b1, corrected by b2, corrected again by b3.
    await revision('2022-12-31T00:00:00Z', 1, b1, b2, '2023-02-01T00:00:05Z');
    await revision('2022-12-31T00:00:00Z', 2, b2, b3, '2023-03-01T00:00:05Z');
    // A value no batch wrote.
    await revision('2022-11-30T00:00:00Z', 7, null, b3, '2023-03-01T00:00:05Z');
    await knownAtMigration.up(db as Kysely<unknown>);
    const rows = await db
      .selectFrom('observation_revisions')
      .select(['old_value', 'old_recorded_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      // Recorded when its batch started.
      { old_value: 1, old_recorded_at: new Date('2023-01-01T00:00:00Z') },
      // Recorded by the revision before it.
      { old_value: 2, old_recorded_at: new Date('2023-02-01T00:00:05Z') },
      // Nothing better known than its own date.
      { old_value: 7, old_recorded_at: new Date('2022-11-30T00:00:00Z') },
    ]);
  });
});
