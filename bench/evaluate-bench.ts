/**
 * One full evaluation of 10k targets over 10M observations on the real PostgreSQL, against the
 * bare "latest value per series" query (DISTINCT ON) on the same table in the same run.
 *
 *   npm run bench:evaluate [-- --series-days 100 --fresh --url postgres://...]
 *
 * Data: Viet Nam's 3,321 communes x 30 indicators = 99,630 series, one value a day for 100 days
 * (9,963,000 rows); 10,000 targets: 3 indicators on every commune, plus provinces and the nation
 * (rolled up from communes). The data set is kept in schema bench_evaluate and reused by the
 * next run unless --fresh.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { applyCatalog } from '../src/catalog/apply-catalog.js';
import { EvaluationService } from '../src/evaluation/evaluation-service.js';
import { createLogger } from '../src/logging/logger.js';
import { CatalogRepository } from '../src/catalog/catalog-repository.js';
import { createDatabase } from '../src/storage/database.js';
import { EvaluationRepository } from '../src/evaluation/evaluation-repository.js';
import { migrateToLatest } from '../src/storage/migrator.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'series-days': { type: 'string', default: '100' },
    fresh: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const days = Number(values['series-days']);
const runs = Number(values.runs);
const schema = 'bench_evaluate';
const indicatorCount = 30;
const asOf = new Date(Date.UTC(2025, 5, 30, 17) + (days + 5) * 86_400_000);

if (values.fresh) {
  const admin = await createDatabase({ url });
  await sql.raw(`drop schema if exists ${schema} cascade`).execute(admin.db);
  await admin.close();
}
const database = await createDatabase({ url, schema, poolMax: 4 });
const db = database.db;
await migrateToLatest(db);

const expectedRows = 3321 * indicatorCount * days;
const have = Number((await sql<{ n: string }>`select count(*) as n from observations`.execute(db)).rows[0]!.n);
if (have !== expectedRows) {
  console.error(
    `building the data set: ${expectedRows.toLocaleString('en-US')} observations, 10,000 targets (a few minutes, once)`,
  );
  await sql`truncate observations, evaluations, evaluation_runs, target_status_changes`.execute(db);
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-bench-'));
  await cp('catalog/regions', path.join(dir, 'regions'), { recursive: true });
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
  await applyCatalog(new CatalogRepository(db), dir, { prune: true });
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
    'baseline: { value: 0, date: 2025-07-01 }, target: 1000000, due: 2027-06 }';
  const targets: string[] = [];
  for (const code of communes) for (let i = 0; i < 3; i++) targets.push(target(`c-${code}-${i}`, `bench_0${i}`, code));
  for (const code of provinces) targets.push(target(`p-${code}`, 'bench_00', code));
  targets.push(target('nation', 'bench_00', 'VN'));
  for (let i = 0; targets.length < 10_000; i++)
    targets.push(
      target(`extra-${i}`, `bench_${String(3 + (i % 27)).padStart(2, '0')}`, communes[i % communes.length]!),
    );
  await writeFile(
    path.join(dir, 'bench.yaml'),
    `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n---\n` +
      'apiVersion: pacer/v1\nkind: Directive\nid: bench\ntitle: Bench\nissuer: Bench\nissued: 2025-07-01\n' +
      `timezone: Asia/Ho_Chi_Minh\ntargets:\n${targets.join('\n')}\n`,
  );
  await applyCatalog(new CatalogRepository(db), dir, { prune: true });
  await rm(dir, { recursive: true, force: true });
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

const targetCount = Number((await sql<{ n: string }>`select count(*) as n from targets`.execute(db)).rows[0]!.n);
const service = new EvaluationService({
  store: new EvaluationRepository(db),
  logger: createLogger({ level: 'silent', pretty: false }),
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => {
  const s = performance.now();
  await f();
  return performance.now() - s;
};

const reference: number[] = [];
const full: number[] = [];
await service.compute(asOf); // warm caches the same way for both
for (let i = 0; i < runs; i++) {
  reference.push(
    await time(() =>
      sql`select distinct on (indicator_id, region_id) indicator_id, region_id, observed_at, value from observations
          where dims = '{}'::jsonb and observed_at <= ${asOf}
          order by indicator_id, region_id, observed_at desc`.execute(db),
    ),
  );
  full.push(await time(() => service.evaluate({ asOf, persist: true })));
}
const r = median(reference);
const f = median(full);
const serverVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v;
const en = (x: number) => x.toLocaleString('en-US');
console.log(
  `data: ${en(expectedRows)} observations in ${en(3321 * indicatorCount)} series, ${en(targetCount)} targets, ` +
    `PostgreSQL ${serverVersion}`,
);
console.log(
  `full evaluation (stored snapshot): median ${(f / 1000).toFixed(2)} s of ${runs}, ` +
    `bare DISTINCT ON latest per series: median ${(r / 1000).toFixed(2)} s, ratio ${(f / r).toFixed(2)}`,
);
await database.close();
