/**
 * An evaluation as known at an earlier instant against the live one, on the real PostgreSQL, as a
 * backtest runs it: 12 steps, each as of a day and known at the end of that day.
 *
 *   npm run bench:known-at [-- --series-days 30 --indicators 10 --fresh --url postgres://...]
 *
 * Data: the national data set of `bench:evaluate` (3,321 communes x 10 indicators x 30 days =
 * 996,300 observations, 10,000 targets), with a history: each value recorded the day after its
 * date, and one in 20 corrected ten days after that (a revision). Kept in schema bench_known_at.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { EvaluationRepository } from '../src/evaluation/evaluation-repository.js';
import { EvaluationService } from '../src/evaluation/evaluation-service.js';
import { createLogger } from '../src/logging/logger.js';
import { ensureNationalDataset, openBenchDatabase } from './national-dataset.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'series-days': { type: 'string', default: '30' },
    indicators: { type: 'string', default: '10' },
    fresh: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const days = Number(values['series-days']);
const indicatorCount = Number(values.indicators);
const runs = Number(values.runs);
const schema = 'bench_known_at';
const DAY = 86_400_000;
const first = Date.UTC(2025, 5, 30, 17); // 2025-07-01 00:00 in Asia/Ho_Chi_Minh

const database = await openBenchDatabase(url, schema, values.fresh);
const db = database.db;
const { rows } = await ensureNationalDataset(db, { days, indicatorCount });
const revised = Number(
  (await sql<{ n: string }>`select count(*) as n from observation_revisions`.execute(db)).rows[0]!.n,
);
if (revised === 0) {
  console.error('writing the history: recorded the next day, one value in 20 corrected ten days later');
  await sql`update observations set recorded_at = observed_at + interval '1 day'`.execute(db);
  await sql`insert into observation_revisions
              (indicator_id, region_id, observed_at, dims, old_value, new_value, old_recorded_at, revised_at)
            select indicator_id, region_id, observed_at, dims, value - 1, value, recorded_at,
                   recorded_at + interval '10 days'
            from observations where (region_id + extract(day from observed_at)::int) % 20 = 0`.execute(db);
  await sql`update observations o set recorded_at = r.revised_at
            from observation_revisions r
            where r.indicator_id = o.indicator_id and r.region_id = o.region_id and r.observed_at = o.observed_at
              and r.dims = o.dims`.execute(db);
  await sql`vacuum analyze observations`.execute(db);
  await sql`vacuum analyze observation_revisions`.execute(db);
}
const revisions = Number(
  (await sql<{ n: string }>`select count(*) as n from observation_revisions`.execute(db)).rows[0]!.n,
);

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
const end = new Date(first + days * DAY - 1);
await service.compute(end); // warm the caches

const live: number[] = [];
for (let i = 0; i < runs; i++) live.push(await time(() => service.evaluate({ asOf: end, persist: false })));
const steps: number[] = [];
const stepLive: number[] = [];
for (let k = 0; k < 12; k++) {
  // As of the end of a day, known at the end of that day: the values of the day before, some not corrected yet.
  const asOf = new Date(first + Math.round(((k + 1) * days) / 12) * DAY - 1);
  stepLive.push(await time(() => service.evaluate({ asOf, persist: false })));
  steps.push(await time(() => service.evaluate({ asOf, knownAt: asOf, persist: false })));
}
// Worst case: as of the end, known before anything was recorded (every probe reads its whole series to find nothing).
const nothing = await time(() => service.evaluate({ asOf: end, knownAt: new Date(first), persist: false }));
const latest = await time(() => service.evaluate({ asOf: end, knownAt: new Date(), persist: false }));

const serverVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v;
const en = (x: number) => x.toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
console.log(`data: ${en(rows)} observations, ${en(revisions)} revisions, 10,000 targets, PostgreSQL ${serverVersion}`);
console.log(`live evaluation as of the last day (median of ${runs}): ${s(median(live))}`);
console.log(
  `12 backtest steps, known at each as-of instant: ${s(total(steps))} (${s(median(steps))} median a step); ` +
    `the same 12 live: ${s(total(stepLive))}`,
);
console.log(`as of the last day, known at now: ${s(latest)}; known before anything was recorded: ${s(nothing)}`);
await database.close();
