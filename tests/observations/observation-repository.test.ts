import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegionIndex } from '../../src/domain/regions/region-registry.js';
import type { ObservationRow } from '../../src/observations/observation-writer.js';
import { BatchRepository, ObservationRepository } from '../../src/observations/observation-repository.js';
import { RegionRepository } from '../../src/catalog/region-repository.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const backends = await testBackends();

describe.each(backends)('observation upserts on %s', (backend) => {
  let t: TestDatabase;
  let writer: ObservationRepository;
  let batches: BatchRepository;
  let rows: ObservationRow[];

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'observations');
    await applyShippedCatalog(t.database);
    writer = new ObservationRepository(t.database.db);
    batches = new BatchRepository(t.database.db);
    const index = new RegionIndex(await new RegionRepository(t.database.db).loadAll());
    const communes = (await new RegionRepository(t.database.db).loadAll()).filter((r) => r.level === 'commune' && r.validFrom !== null).slice(0, 1000);
    const at = new Date('2025-09-01T00:00:00Z');
    expect(index.resolve(communes[0]!.code, at)?.id).toBe(communes[0]!.id);
    rows = communes.flatMap((c, i) => [0, 1, 2].map((d) => ({ indicatorId: 'vneid_accounts_activated', regionId: c.id, observedAt: new Date(at.getTime() + d * 86_400_000), dims: (d === 2 ? { level: '2' } : {}) as Record<string, string>, value: i * 10 + d, note: null })));
  });
  afterAll(() => t.drop());

  it('inserts new keys, leaves identical re-sends untouched, and revises changed values', async () => {
    const b1 = await batches.open({ source: 'cli' });
    expect(await writer.write(b1, rows)).toEqual({ inserted: 3000, updated: 0, unchanged: 0 });

    // xmin is the transaction that wrote a row version: equal before and after means no new version, no dead tuple.
    const versions = () => sql<{ xmin: string }>`select xmin::text as xmin from observations order by indicator_id, region_id, observed_at, dims`.execute(t.database.db);
    const before = (await versions()).rows;
    const b2 = await batches.open({ source: 'cli' });
    expect(await writer.write(b2, rows)).toEqual({ inserted: 0, updated: 0, unchanged: 3000 });
    expect((await versions()).rows).toEqual(before);
    expect(await t.database.db.selectFrom('observations').select('batch_id').distinct().execute()).toEqual([{ batch_id: b1 }]);

    const changed = rows.map((r, i) => (i === 7 ? { ...r, value: r.value + 0.5 } : r));
    const b3 = await batches.open({ source: 'cli' });
    expect(await writer.write(b3, changed)).toEqual({ inserted: 0, updated: 1, unchanged: 2999 });
    const revisions = await t.database.db.selectFrom('observation_revisions').selectAll().execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ old_value: rows[7]!.value, new_value: rows[7]!.value + 0.5, old_batch_id: b1, new_batch_id: b3, indicator_id: 'vneid_accounts_activated', dims: rows[7]!.dims });
  });

  it('counts a key repeated within one call once, the last value winning', async () => {
    const key = { indicatorId: 'vneid_accounts_activated', regionId: rows[0]!.regionId, observedAt: new Date('2030-01-01T00:00:00Z'), dims: {}, note: null };
    const b = await batches.open({ source: 'cli' });
    expect(await writer.write(b, [{ ...key, value: 1 }, { ...key, value: 2 }])).toEqual({ inserted: 1, updated: 0, unchanged: 1 });
    const stored = await t.database.db.selectFrom('observations').select('value').where('observed_at', '=', key.observedAt).executeTakeFirstOrThrow();
    expect(stored.value).toBe(2);
  });

  it('writes 100,000 rows in one call, far past the bind-parameter limit', async () => {
    const regionId = rows[0]!.regionId;
    const big = Array.from({ length: 100_000 }, (_, i) => ({ indicatorId: 'chip_id_cards_issued', regionId, observedAt: new Date(Date.UTC(2020, 0, 1) + i * 60_000), dims: {}, value: i, note: null }));
    const b = await batches.open({ source: 'cli' });
    expect(await writer.write(b, big)).toEqual({ inserted: 100_000, updated: 0, unchanged: 0 });
  });

  it('records a batch with its counts', async () => {
    const b = await batches.open({ source: 'push', feed: 'test-feed' });
    await batches.close(b, { status: 'committed', received: 10, inserted: 7, updated: 1, unchanged: 2, rejected: 0 });
    const row = await t.database.db.selectFrom('ingest_batches').selectAll().where('id', '=', b).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'push', feed: 'test-feed', status: 'committed', received: 10, inserted: 7, updated: 1, unchanged: 2, rejected: 0 });
    expect(row.finished_at).toBeInstanceOf(Date);
  });
});
