import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegionIndex } from '../../src/domain/regions/region-registry.js';
import { InputError } from '../../src/errors/pacer-error.js';
import { BatchRepository } from '../../src/observations/batch-repository.js';
import { RegionRepository } from '../../src/catalog/region-repository.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { seedObservations, type PushRecord } from '../support/seed-observations.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const backends = await testBackends();

/** The idempotent upsert as the production ingest does it (the path pushes, feeds and the demo loader take). */
describe.each(backends)('observation upserts on %s', (backend) => {
  let t: TestDatabase;
  let records: PushRecord[];

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'observations');
    await applyShippedCatalog(t.database);
    const units = await new RegionRepository(t.database.db).loadAll();
    const index = new RegionIndex(units);
    const communes = units.filter((r) => r.level === 'commune' && r.validFrom !== null).slice(0, 1000);
    const at = new Date('2025-09-01T00:00:00Z');
    expect(index.resolve(communes[0]!.code, at)?.id).toBe(communes[0]!.id);
    records = communes.flatMap((c, i) =>
      [0, 1, 2].map((d) => ({
        indicator: 'vneid_accounts_activated',
        region: c.code,
        observed_at: new Date(at.getTime() + d * 86_400_000).toISOString(),
        dims: (d === 2 ? { level: '2' } : {}) as Record<string, string>,
        value: i * 10 + d,
      })),
    );
  });
  afterAll(() => t.drop());

  it('inserts new keys, leaves identical re-sends untouched, and revises changed values', async () => {
    const first = await seedObservations(t.database, records);
    expect(first).toMatchObject({ inserted: 3000, updated: 0, unchanged: 0 });
    const b1 = first.batch_id;

    // xmin is the transaction that wrote a row version: equal before and after means no new version, no dead tuple.
    const versions = () =>
      sql<{
        xmin: string;
      }>`select xmin::text as xmin from observations order by indicator_id, region_id, observed_at, dims`.execute(
        t.database.db,
      );
    const before = (await versions()).rows;
    expect(await seedObservations(t.database, records)).toMatchObject({ inserted: 0, updated: 0, unchanged: 3000 });
    expect((await versions()).rows).toEqual(before);
    expect(await t.database.db.selectFrom('observations').select('batch_id').distinct().execute()).toEqual([
      { batch_id: b1 },
    ]);

    const changed = records.map((r, i) => (i === 7 ? { ...r, value: r.value + 0.5 } : r));
    const third = await seedObservations(t.database, changed);
    expect(third).toMatchObject({ inserted: 0, updated: 1, unchanged: 2999 });
    const revisions = await t.database.db.selectFrom('observation_revisions').selectAll().execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      old_value: records[7]!.value,
      new_value: records[7]!.value + 0.5,
      old_batch_id: b1,
      new_batch_id: third.batch_id,
      indicator_id: 'vneid_accounts_activated',
      dims: records[7]!.dims,
    });
  });

  // The ingestor refuses what the old array writer collapsed silently (last value winning): two
  // values for one key in one batch are a contradiction the sender has to resolve.
  it(
    'rejects a key repeated within one batch with another ' + 'value as an error on the later line, writing nothing',
    async () => {
      const key = {
        indicator: 'vneid_accounts_activated',
        region: records[0]!.region,
        observed_at: '2025-01-01T00:00:00Z',
      };
      const refused = await seedObservations(t.database, [
        { ...key, value: 1 },
        { ...key, value: 2 },
      ]).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as InputError).issues).toMatchObject([{ line: 2, field: 'value', code: 'duplicate_key' }]);
      const stored = () =>
        t.database.db
          .selectFrom('observations')
          .select('value')
          .where('observed_at', '=', new Date(key.observed_at))
          .execute();
      expect(await stored()).toEqual([]);
    },
  );

  it('counts a key repeated within one batch with the same value once, the repeat as unchanged', async () => {
    const key = {
      indicator: 'vneid_accounts_activated',
      region: records[0]!.region,
      observed_at: '2025-01-02T00:00:00Z',
    };
    expect(
      await seedObservations(t.database, [
        { ...key, value: 2 },
        { ...key, value: 2 },
      ]),
    ).toMatchObject({ received: 2, inserted: 1, updated: 0, unchanged: 1 });
    const stored = await t.database.db
      .selectFrom('observations')
      .select('value')
      .where('observed_at', '=', new Date(key.observed_at))
      .execute();
    expect(stored).toEqual([{ value: 2 }]);
  });

  it('writes 100,000 rows in one batch, far past the bind-parameter limit', async () => {
    const region = records[0]!.region;
    const start = Date.UTC(2025, 6, 1);
    const big = Array.from({ length: 100_000 }, (_, i) => ({
      indicator: 'chip_id_cards_issued',
      region,
      observed_at: new Date(start + i * 60_000).toISOString(),
      value: i,
    }));
    expect(await seedObservations(t.database, big)).toMatchObject({ inserted: 100_000, updated: 0, unchanged: 0 });
  });

  it('records a batch with its counts, as GET /v1/batches reads them', async () => {
    const key = (d: number) => ({
      indicator: 'vneid_accounts_activated',
      region: records[1]!.region,
      observed_at: `2025-08-${String(d).padStart(2, '0')}T00:00:00Z`,
    });
    await seedObservations(
      t.database,
      [1, 2, 3].map((d) => ({ ...key(d), value: d })),
    );
    const ten = [
      { ...key(1), value: 1 },
      { ...key(2), value: 2 },
      { ...key(3), value: 30 },
      ...[4, 5, 6, 7, 8, 9, 10].map((d) => ({ ...key(d), value: d })),
    ];
    const summary = await seedObservations(t.database, ten);
    const b = summary.batch_id!;
    const row = await t.database.db
      .selectFrom('ingest_batches')
      .selectAll()
      .where('id', '=', b)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 'cli',
      feed: null,
      status: 'committed',
      received: 10,
      inserted: 7,
      updated: 1,
      unchanged: 2,
      rejected: 0,
    });
    expect(row.finished_at).toBeInstanceOf(Date);
    const batches = new BatchRepository(t.database.db);
    expect(await batches.get(b)).toMatchObject({
      id: b,
      source: 'cli',
      mode: 'atomic',
      status: 'committed',
      received: 10,
      inserted: 7,
      updated: 1,
      unchanged: 2,
      rejected: 0,
      errors: [],
    });
    expect((await batches.list({ limit: 1 }))[0]?.id).toBe(b);
  });
});
