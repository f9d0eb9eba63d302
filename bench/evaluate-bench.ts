/**
 * One full evaluation of 10k targets over 10M observations on the real PostgreSQL, against the
 * bare "latest value per series" query (DISTINCT ON) on the same table in the same run.
 *
 *   npm run bench:evaluate [-- --series-days 100 --fresh --url postgres://...]
 *   npm run bench:evaluate -- --history
 *
 * Data: Viet Nam's 3,321 communes x 30 indicators = 99,630 series, one value a day for 100 days
 * (9,963,000 rows); 10,000 targets: 3 indicators on every commune, plus provinces and the nation
 * (rolled up from communes). The data set is kept in schema bench_evaluate and reused by the
 * next run unless --fresh.
 *
 * With --history: the same 10,000 targets over the same 9,963 series (3 indicators on 3,321 communes,
 * due in December 2034) with 300 days of values (2,988,900 rows) and with 3,000 days (29,889,000
 * rows), each in a schema of its own, evaluated day after day at the end of their data (each
 * evaluation sees one more day of values, as a daily one does). Prints the
 * first evaluation (which reads every series whole and fills the reach table) and the median of the
 * following ones for both, and the ratio of the long history's to the short's: the goal is 1.5 at most.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { EvaluationService } from '../src/evaluation/evaluation-service.js';
import { createLogger } from '../src/logging/logger.js';
import { EvaluationRepository } from '../src/evaluation/evaluation-repository.js';
import { ensureNationalDataset, openBenchDatabase } from './national-dataset.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'series-days': { type: 'string', default: '100' },
    fresh: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    history: { type: 'boolean', default: false },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const days = Number(values['series-days']);
const runs = Number(values.runs);
const schema = 'bench_evaluate';
const indicatorCount = 30;
const asOf = new Date(Date.UTC(2025, 5, 30, 17) + (days + 5) * 86_400_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => {
  const s = performance.now();
  await f();
  return performance.now() - s;
};
const en = (x: number) => x.toLocaleString('en-US');

if (values.history) {
  const day = 86_400_000;
  const sets = [];
  for (const historyDays of [300, 3000]) {
    const database = await openBenchDatabase(url, `bench_history_${historyDays}d`);
    // The targets' own series only (3 indicators on every commune), due after both histories end.
    const { rows } = await ensureNationalDataset(database.db, { days: historyDays, indicatorCount: 3, due: '2034-12' });
    await sql`truncate target_reach, evaluations, evaluation_runs, target_status_changes`.execute(database.db);
    const service = new EvaluationService({
      store: new EvaluationRepository(database.db, { exclusive: true }),
      logger: createLogger({ level: 'silent', pretty: false }),
    });
    // The data's last day is 2025-07-01 + days - 1 (local): evaluations start a few days before its end.
    const lastDay = Date.UTC(2025, 5, 30, 17) + historyDays * day - 1;
    sets.push({ days: historyDays, rows, database, service, lastDay, first: 0, steady: [] as number[] });
  }
  for (const set of sets)
    set.first = await time(() => set.service.evaluate({ asOf: new Date(set.lastDay - runs * day) }));
  // Day after day, the two histories taking turns, so a noisy neighbour slows both alike.
  for (let i = runs - 1; i >= 0; i--)
    for (const set of sets)
      set.steady.push(await time(() => set.service.evaluate({ asOf: new Date(set.lastDay - i * day) })));
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  for (const set of sets) {
    console.log(
      `${String(set.days).padStart(3)} days, ${en(set.rows).padStart(10)} observations, 10,000 targets: ` +
        `first evaluation ${s(set.first)} (reads every series whole), then median ${s(median(set.steady))} of ${runs}`,
    );
    await set.database.close();
  }
  const [short, long] = sets as [(typeof sets)[0], (typeof sets)[0]];
  console.log(
    `ten times the history: ${(median(long.steady) / median(short.steady)).toFixed(2)}x the evaluation time ` +
      `(goal: at most 1.5x); first evaluations ${(long.first / short.first).toFixed(2)}x`,
  );
  process.exit(0);
}

const database = await openBenchDatabase(url, schema, values.fresh);
const db = database.db;

const { rows: expectedRows } = await ensureNationalDataset(db, { days, indicatorCount });

const targetCount = Number((await sql<{ n: string }>`select count(*) as n from targets`.execute(db)).rows[0]!.n);
const service = new EvaluationService({
  store: new EvaluationRepository(db),
  logger: createLogger({ level: 'silent', pretty: false }),
});
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
console.log(
  `data: ${en(expectedRows)} observations in ${en(3321 * indicatorCount)} series, ${en(targetCount)} targets, ` +
    `PostgreSQL ${serverVersion}`,
);
console.log(
  `full evaluation (stored snapshot): median ${(f / 1000).toFixed(2)} s of ${runs}, ` +
    `bare DISTINCT ON latest per series: median ${(r / 1000).toFixed(2)} s, ratio ${(f / r).toFixed(2)}`,
);
await database.close();
