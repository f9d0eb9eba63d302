/**
 * The national-scale data set the benchmarks share, kept in its schema and reused: Viet Nam's
 * 3,321 communes x `indicatorCount` indicators, one value a day for `days` days (generate_series,
 * one INSERT ... SELECT per indicator), and 10,000 targets: 3 indicators on every commune, plus
 * provinces and the nation (rolled up from communes). Returns the number of observations and the
 * directory of the catalog. `targets` keeps the first so many (the commune targets first), `due` and
 * `targetValue` set every target's deadline and value (default 2027-06 and 1,000,000: none decided yet).
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { applyCatalog } from '../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../src/catalog/catalog-repository.js';
import type { DB } from '../src/storage/database-schema.js';
import { createDatabase, type Database } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrator.js';

export async function ensureNationalDataset(
  db: Kysely<DB>,
  {
    days,
    indicatorCount,
    targets: targetCount = 10_000,
    due = '2027-06',
    targetValue = 1_000_000,
  }: { days: number; indicatorCount: number; targets?: number; due?: string; targetValue?: number },
): Promise<{ rows: number; catalogDir: string }> {
  const expectedRows = 3321 * indicatorCount * days;
  const have = Number((await sql<{ n: string }>`select count(*) as n from observations`.execute(db)).rows[0]!.n);
  if (have !== expectedRows) {
    console.error(
      `building the data set: ${expectedRows.toLocaleString('en-US')} observations, ` +
        `${targetCount.toLocaleString('en-US')} targets ` +
        '(a few minutes, once)',
    );
    await sql`truncate observations, evaluations, evaluation_runs, target_status_changes, target_reach`.execute(db);
  }
  // The catalog stays in a directory of its own: processes started by a benchmark apply it (unchanged) at start.
  const standard = targetCount === 10_000 && due === '2027-06' && targetValue === 1_000_000 && indicatorCount === 30;
  const variant = `-${indicatorCount}-${targetCount}-${due}-${targetValue}`;
  const dir = path.join(tmpdir(), `pacer-bench-national${standard ? '' : variant}`);
  await mkdir(dir, { recursive: true });
  await cp('catalog/regions', path.join(dir, 'regions'), { recursive: true });
  const rebuild = have !== expectedRows;
  {
    const indicators = Array.from(
      { length: indicatorCount },
      (_, i) =>
        `  - { id: bench_${String(i).padStart(2, '0')}, name: Bench ${i}, unit: things, kind: cumulative, ` +
        'update_interval: 1d }',
    );
    // Regions first: the targets name communes, which the catalog apply creates.
    await writeFile(
      path.join(dir, 'bench.yaml'),
      `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n`,
    );
    if (rebuild) await applyCatalog(new CatalogRepository(db), dir, { prune: true });
    const communes = (
      await sql<{
        code: string;
      }>`select code from regions where level = 'commune' and valid_from is not null order by code`.execute(db)
    ).rows.map((r) => r.code);
    const provinces = (
      await sql<{
        code: string;
      }>`select code from regions where level = 'province' and valid_from is not null order by code`.execute(db)
    ).rows.map((r) => r.code);
    const target = (id: string, indicator: string, region: string) =>
      `  - { id: ${id}, title: ${id}, indicator: ${indicator}, region: "${region}", owner: Bench, source: bench, ` +
      `baseline: { value: 0, date: 2025-07-01 }, target: ${targetValue}, due: ${due} }`;
    const targets: string[] = [];
    for (const code of communes)
      for (let i = 0; i < Math.min(3, indicatorCount); i++) targets.push(target(`c-${code}-${i}`, `bench_0${i}`, code));
    for (const code of provinces) targets.push(target(`p-${code}`, 'bench_00', code));
    targets.push(target('nation', 'bench_00', 'VN'));
    for (let i = 0; targets.length < targetCount; i++)
      targets.push(
        target(
          `extra-${i}`,
          `bench_${String((3 + i) % indicatorCount).padStart(2, '0')}`,
          communes[i % communes.length]!,
        ),
      );
    targets.length = Math.min(targets.length, targetCount);
    await writeFile(
      path.join(dir, 'bench.yaml'),
      `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n---\n` +
        'apiVersion: pacer/v1\nkind: Directive\nid: bench\ntitle: Bench\nissuer: Bench\nissued: 2025-07-01\n' +
        `timezone: Asia/Ho_Chi_Minh\ntargets:\n${targets.join('\n')}\n`,
    );
    if (rebuild) await applyCatalog(new CatalogRepository(db), dir, { prune: true });
  }
  if (rebuild) {
    for (let i = 0; i < indicatorCount; i++) {
      const started = performance.now();
      await sql`insert into observations (indicator_id, region_id, observed_at, value)
                select ${`bench_${String(i).padStart(2, '0')}`}, r.id,
                       timestamptz '2025-07-01 00:00+07' + d * interval '1 day', d * (1 + r.id % 7) * 100 + ${i}
                from regions r cross join generate_series(0, ${days - 1}) d
                where r.level = 'commune' and r.valid_from is not null`.execute(db);
      console.error(`  indicator ${i + 1}/${indicatorCount}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await sql`vacuum analyze observations`.execute(db);
  }
  return { rows: expectedRows, catalogDir: dir };
}

/**
 * The benchmarks' database: a schema of its own on `url`, dropped first with `fresh` (the data set is
 * built again), migrated to the latest schema.
 */
export async function openBenchDatabase(url: string, schema: string, fresh = false): Promise<Database> {
  if (fresh) {
    const admin = await createDatabase({ url });
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(admin.db);
    await admin.close();
  }
  const database = await createDatabase({ url, schema, poolMax: 4 });
  await migrateToLatest(database.db);
  return database;
}
