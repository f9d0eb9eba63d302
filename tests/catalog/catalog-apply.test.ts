import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog, planCatalogChanges } from '../../src/catalog/apply-catalog.js';
import { isEmptyPlan, planCounts } from '../../src/catalog/catalog-plan.js';
import { ConflictError, InputError } from '../../src/errors/pacer-error.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { migrateToLatest } from '../../src/storage/migrator.js';
import { RegionRepository } from '../../src/catalog/region-repository.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const backends = await testBackends();

describe.each(backends)('catalog apply on %s', (backend) => {
  let t: TestDatabase;
  let store: CatalogRepository;
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'catalog_apply', { migrate: false });
    store = new CatalogRepository(t.database.db);
  });
  afterAll(async () => {
    await t.drop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function copyOfCatalog(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'pacer-apply-'));
    dirs.push(dir);
    await cp('catalog', dir, { recursive: true });
    return dir;
  }

  it('migrates an empty database up, and a second run finds nothing to do', async () => {
    expect(await migrateToLatest(t.database.db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.database.db)).toEqual([]);
  });

  it('applies the shipped catalog, then a second apply reports no changes', async () => {
    const first = await applyCatalog(store, 'catalog');
    expect(first.changed).toBe(true);
    expect(planCounts(first.plan)).toMatchObject({
      regions: { created: 13_471 },
      successors: { created: 10_667 },
      indicators: { created: 27 },
      targets: { created: 18 },
      directives: { created: 1 },
    });
    const second = await applyCatalog(store, 'catalog');
    expect(second.changed).toBe(false);
    expect(isEmptyPlan(second.plan)).toBe(true);
    const applies = await t.database.db.selectFrom('catalog_applies').select('catalog_hash').execute();
    expect(applies).toHaveLength(1);
  });

  it('stores the nation, 34 + 63 provinces with successors, and every commune', async () => {
    const rows = await sql<{ level: string; era: string; n: number; with_successor: number }>`
      select level,
             case when valid_from is not null then 'from-2025' when valid_to is not null then 'until-2025'
                  else 'always' end as era,
             count(*)::int as n, count(s.predecessor_id)::int as with_successor
      from regions r left join (select distinct predecessor_id from region_successors) s on s.predecessor_id = r.id
      group by 1, 2 order by 1, 2`.execute(t.database.db);
    expect(rows.rows).toEqual([
      { level: 'commune', era: 'from-2025', n: 3321, with_successor: 0 },
      { level: 'commune', era: 'until-2025', n: 10052, with_successor: expect.any(Number) },
      { level: 'nation', era: 'always', n: 1, with_successor: 0 },
      { level: 'province', era: 'from-2025', n: 34, with_successor: 0 },
      { level: 'province', era: 'until-2025', n: 63, with_successor: 63 },
    ]);
  });

  it('maps every pre-2025 province to its 2025 successor: Binh Duong (74) into Ho Chi Minh City (79)', async () => {
    const regions = new RegionRepository(t.database.db);
    const mapping = await regions.successorsAt(new Date('2025-06-30T17:00:00Z'), 'province');
    expect(mapping).toHaveLength(63);
    expect(new Set(mapping.map((m) => m.successor.code)).size).toBe(34);
    expect(mapping.every((m) => m.kind === 'full')).toBe(true);
    const binhDuong = mapping.find((m) => m.predecessor.code === '74')!;
    expect(binhDuong.predecessor.name).toBe('Tỉnh Bình Dương');
    expect(binhDuong.successor).toMatchObject({ code: '79', name: 'Thành phố Hồ Chí Minh' });
    // 79 before and 79 after are different units; the old one also maps to the new one.
    const hcmc = mapping.find((m) => m.predecessor.code === '79')!;
    expect(hcmc.predecessor.id).not.toBe(hcmc.successor.id);
  });

  it('resolves a code by date: 79 before 2025-07-01 is the old unit, after it the new one', async () => {
    const units = await new RegionRepository(t.database.db).loadAll();
    const seventyNine = units
      .filter((u) => u.code === '79')
      .sort((a, b) => (a.validTo ? -1 : 1) - (b.validTo ? -1 : 1));
    expect(seventyNine).toHaveLength(2);
    expect(seventyNine[0]!.validTo?.toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(seventyNine[1]!.validFrom?.toISOString()).toBe('2025-06-30T17:00:00.000Z');
  });

  it('plans and applies a changed target as one update, and a new target as one creation', async () => {
    const dir = await copyOfCatalog();
    const file = path.join(dir, 'ct-05-2023.yaml');
    const text = (await readFile(file, 'utf8')).replace('target: 40000000', 'target: 45000000');
    // The new target goes at the end of the targets list, before the events.
    const extra =
      `  - id: extra-target\n    title: An extra target\n` +
      `    indicator: chip_id_cards_issued\n    owner: Ministry of Public Security\n` +
      `    source: Section 3\n    baseline: { value: 67910130, date: 2022-08-05 }\n` +
      `    target: 90000000\n    due: December 2023\n`;
    await writeFile(file, text.replace(/^# Events:/m, `${extra}# Events:`));
    const { plan } = await planCatalogChanges(store, dir);
    expect(planCounts(plan)).toMatchObject({
      targets: { created: 1, updated: 1, deleted: 0 },
      regions: { created: 0, updated: 0, deleted: 0 },
    });
    expect(plan.targets.updated[0]).toMatchObject({ fields: ['targetValue'] });
    await applyCatalog(store, dir);
    const stored = await t.database.db
      .selectFrom('targets')
      .select(['id', 'target_value'])
      .where('id', 'in', ['vneid-accounts-40m', 'extra-target'])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { id: 'extra-target', target_value: 90_000_000 },
      { id: 'vneid-accounts-40m', target_value: 45_000_000 },
    ]);
  });

  it('refuses to remove a target that has data unless --prune, and then removes it', async () => {
    const run = await t.database.db
      .insertInto('evaluation_runs')
      .values({ as_of: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('evaluations')
      .values({
        run_id: run.id,
        target_id: 'extra-target',
        as_of: new Date(),
        status: 'on_track',
        achieved_late: false,
      })
      .execute();
    const before = await t.database.db
      .selectFrom('catalog_applies')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();

    const error = await applyCatalog(store, 'catalog').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('prune_required');
    expect((error as Error).message).toContain('target extra-target (1 evaluations');
    // Nothing changed: the transaction rolled back, the extra target and the 45M value are still there.
    expect(
      await t.database.db
        .selectFrom('targets')
        .select('target_value')
        .where('id', '=', 'vneid-accounts-40m')
        .executeTakeFirstOrThrow(),
    ).toEqual({ target_value: 45_000_000 });
    expect(
      await t.database.db
        .selectFrom('catalog_applies')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual(before);

    const pruned = await applyCatalog(store, 'catalog', { prune: true });
    expect(planCounts(pruned.plan).targets).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect(await t.database.db.selectFrom('evaluations').selectAll().execute()).toEqual([]);
    expect((await applyCatalog(store, 'catalog')).changed).toBe(false);
  });

  it('stores the directive events; an edited event applies as an update, a removed one as a deletion', async () => {
    const stored = () =>
      t.database.db
        .selectFrom('catalog_events')
        .select(['position', 'day', 'precision', 'at', 'text', 'target_ids', 'indicator_id'])
        .orderBy('position')
        .execute();
    const before = await stored();
    expect(before).toHaveLength(4);
    expect(before[3]).toMatchObject({
      day: '2024-09-30',
      precision: 'month',
      target_ids: [],
      indicator_id: 'villages_without_mobile_coverage',
    });
    expect(before[3]!.at.toISOString()).toBe('2024-09-30T16:59:59.999Z');
    expect(before[1]!.target_ids).toEqual(['vneid-accounts-40m']);

    const dir = await copyOfCatalog();
    const file = path.join(dir, 'ct-05-2023.yaml');
    const text = await readFile(file, 'utf8');
    const edited = text.replace('text: Directive 05/CT-TTg issued', 'text: Directive 05/CT-TTg signed and issued');
    await writeFile(file, edited.slice(0, edited.indexOf('  - date: 2024-09')));
    const { plan } = await planCatalogChanges(store, dir);
    expect(planCounts(plan).events).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect(plan.events.updated[0]).toMatchObject({ fields: ['text'] });
    await applyCatalog(store, dir);
    expect((await stored()).map((e) => e.text)).toEqual([
      'Directive 05/CT-TTg signed and issued',
      before[1]!.text,
      before[2]!.text,
    ]);
    // Back to the shipped catalog for the tests below.
    expect(planCounts((await applyCatalog(store, 'catalog')).plan).events).toEqual({
      created: 1,
      updated: 1,
      deleted: 0,
    });
  });

  it('refuses an invalid catalog and changes nothing', async () => {
    const error = await applyCatalog(store, 'tests/fixtures/catalogs/broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.length).toBeGreaterThan(10);
    expect((await planCatalogChanges(store, 'catalog')).plan.targets).toEqual({
      created: [],
      updated: [],
      deleted: [],
    });
  });
});
