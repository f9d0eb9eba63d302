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
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { EvaluationService } from '../src/evaluation/evaluation-service.js';
import { createLogger } from '../src/logging/logger.js';
import { createDatabase } from '../src/storage/database.js';
import { EvaluationRepository } from '../src/evaluation/evaluation-repository.js';
import { migrateToLatest } from '../src/storage/migrator.js';
import { ensureNationalDataset } from './national-dataset.js';

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

const { rows: expectedRows } = await ensureNationalDataset(db, { days, indicatorCount });

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
