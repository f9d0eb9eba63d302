/**
 * `pacer backtest` at scale: 12 monthly steps over ~1M observations and 1,000 targets on the real
 * PostgreSQL, against one full evaluation of the same data in the same run (the live evaluation, as
 * of now). Goal: at most 12 times it, each step no dearer than a live evaluation.
 *
 *   npm run bench:backtest [-- --days 301 --targets 1000 --fresh --url postgres://...]
 *
 * Data (bench/national-dataset.ts, one indicator): Viet Nam's 3,321 communes, one value a day from
 * 2025-07-01 for `days` days (301: 999,621 rows); the first `targets` commune targets, due June 2026,
 * 100,000 from 0: about half are achieved by their deadline. Steps: the 15th of each month from
 * July 2025 to June 2026, all before the deadline, so every step evaluates every target. Kept in a
 * schema of its own and reused unless --fresh.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { BacktestService } from '../src/evaluation/backtest-service.js';
import { EvaluationRepository } from '../src/evaluation/evaluation-repository.js';
import { EvaluationService } from '../src/evaluation/evaluation-service.js';
import { createLogger } from '../src/logging/logger.js';
import { ScorecardRepository } from '../src/scorecard/scorecard-repository.js';
import { ensureNationalDataset, openBenchDatabase } from './national-dataset.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    days: { type: 'string', default: '301' },
    targets: { type: 'string', default: '1000' },
    fresh: { type: 'boolean', default: false },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const days = Number(values.days);
const targets = Number(values.targets);
const schema = `bench_backtest_${days}_${targets}`;

const database = await openBenchDatabase(url, schema, values.fresh);
const db = database.db;
const { rows } = await ensureNationalDataset(db, {
  days,
  indicatorCount: 1,
  targets,
  due: '2026-06',
  targetValue: 100_000,
});

const store = new EvaluationRepository(db);
const evaluation = new EvaluationService({ store, logger: createLogger({ level: 'silent', pretty: false }) });
const scorecardStore = new ScorecardRepository(db);
const backtest = new BacktestService({ evaluation, store, directives: () => scorecardStore.directives() });
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const s = performance.now();
  const value = await f();
  return [value, performance.now() - s];
};

await evaluation.compute(new Date()); // warm caches the same way for both
const [, full] = await time(() => evaluation.compute(new Date()));
const [report, replay] = await time(() => backtest.run({ from: '2025-07-15', to: '2026-06-15', every: '1mo' }));
const o = report.score.overall;
const en = (x: number) => x.toLocaleString('en-US');
const serverVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v;
console.log(
  `data: ${en(rows)} observations, ${en(report.targets.length + report.undecided)} targets ` +
    `(${o.achieved} achieved, ${o.missed} missed), PostgreSQL ${serverVersion}`,
);
console.log(`full evaluation (the reference, as of now): ${Math.round(full)} ms`);
console.log(
  `backtest of ${report.steps.length} monthly steps (${report.evaluatedSteps} evaluated, plus the outcomes): ` +
    `${Math.round(replay)} ms, ${Math.round(replay / Math.max(1, report.evaluatedSteps))} ms a step`,
);
console.log(`ratio ${(replay / full).toFixed(2)} (goal <= 12)`);
await database.close();
