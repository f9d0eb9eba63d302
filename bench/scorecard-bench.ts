/**
 * The scorecard at national scale: 10,000 targets over 10M observations (the data set of
 * bench:evaluate, reused). One process plays api and worker on the real PostgreSQL; a client
 * process of its own requests `/`, a filtered `/` and a target page, each first cold (rendered
 * from the newest evaluation) then N times (from the page cache), and prints the p95 of the
 * repeats beside that cold render.
 *
 *   npm run bench:scorecard [-- --requests 100 --url postgres://...]
 */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/env-schema.js';
import { createLogger } from '../src/logging/logger.js';
import { openPacer } from '../src/main.js';
import { createDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrator.js';
import { ensureNationalDataset } from './national-dataset.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'series-days': { type: 'string', default: '100' },
    requests: { type: 'string', default: '100' },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const requests = Number(values.requests);
const database = await createDatabase({ url, schema: 'bench_evaluate', poolMax: 10 });
await migrateToLatest(database.db);
const { rows } = await ensureNationalDataset(database.db, { days: Number(values['series-days']), indicatorCount: 30 });

const logger = createLogger({ level: 'warn', pretty: false });
const config = loadConfig({ DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', PACER_DEMO_DATA: 'false' });
const pacer = await openPacer(config, logger, { roles: ['api', 'worker'], database });
const started = performance.now();
await pacer.start(); // the worker's full evaluation at start, then the api
const evaluationMs = performance.now() - started;
const base = `http://127.0.0.1:${pacer.roles.api!.port}`;

const run = promisify(execFile);
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const f = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(
  `data: ${rows.toLocaleString('en-US')} observations, 10,000 targets; start (full evaluation): ${f(evaluationMs)}`,
);
for (const [name, path] of [
  ['/', '/'],
  ['/?status=no_data,off_track', '/?status=no_data,off_track'],
  ['/?owner=Bench', '/?owner=Bench'],
  ['/targets/nation', '/targets/nation'],
] as const) {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/http-client.ts', base + path, String(requests + 1)],
    {
      maxBuffer: 1 << 20,
    },
  );
  const { first, times } = JSON.parse(stdout) as { first: number; times: number[] };
  console.log(
    `${name.padEnd(28)} cached p95 ${f(p95(times)).padStart(9)} over ${times.length}, ` +
      `cold render ${f(first).padStart(10)} ` +
      `(${(first / p95(times)).toFixed(0)}x)`,
  );
}
await pacer.stop();
await database.close();
