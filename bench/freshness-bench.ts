/**
 * From a push to the new value on /metrics and on the target page, in production's shape: `api`
 * and `worker` as processes of their own on the real PostgreSQL and Redis, 10,000 targets over
 * 10M observations (the data set of bench:evaluate, reused). Pushes one value N times (each to
 * another commune's target), polls /metrics and the target page until both show it, and prints
 * the p50 and p95 beside the worker's full evaluation of every target in the same run (what each
 * push cost before, on top of the 2 s debounce and the api's 10 s poll).
 *
 *   npm run bench:freshness [-- --pushes 20 --url postgres://...]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrator.js';
import { freePort } from '../tests/support/pacer-process.js';
import { ensureNationalDataset } from './national-dataset.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'series-days': { type: 'string', default: '100' },
    pushes: { type: 'string', default: '20' },
  },
});
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = 'bench_evaluate';
const days = Number(values['series-days']);
const database = await createDatabase({ url, schema, poolMax: 4 });
await migrateToLatest(database.db);
const { rows, catalogDir } = await ensureNationalDataset(database.db, { days, indicatorCount: 30 });
const communes = (
  await sql<{ code: string }>`select code from regions where level = 'commune' and valid_from is not null
                              order by code limit ${Number(values.pushes)}`.execute(database.db)
).rows.map((r) => r.code);

const schemaUrl = new URL(url);
schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
const jobsDir = await mkdtemp(path.join(tmpdir(), 'pacer-bench-jobs-'));
const adminToken = randomBytes(24).toString('hex');
const port = await freePort();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: schemaUrl.toString(),
  REDIS_URL: values.redis,
  PACER_QUEUE_PREFIX: `bench-fresh-${randomBytes(3).toString('hex')}`,
  PACER_CATALOG_DIR: catalogDir,
  PACER_JOBS_DIR: jobsDir,
  PACER_DEMO_DATA: 'false',
  PACER_ADMIN_TOKEN: adminToken,
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
};
const children: ChildProcess[] = [];
const start = (roles: string, extra: Record<string, string> = {}) => {
  const child = spawn(process.execPath, ['bin/pacer.js', 'start', '--roles', roles], {
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  children.push(child);
  return { child, output: () => output };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, check: () => Promise<boolean> | boolean, withinMs: number) => {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
};

try {
  const worker = start('worker', { PORT: String(await freePort()) });
  await until('the worker', () => /evaluated all targets/.test(worker.output()), 600_000);
  const fullMs = Number(/"ms":(\d+)[^\n]*evaluated all targets/.exec(worker.output())?.[1] ?? NaN);
  start('api', { PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  const text = (p: string) =>
    fetch(base + p).then(
      (r) => r.text(),
      () => '',
    );
  await until(
    'the api to load the newest run',
    async () => (await text('/metrics')).includes('target="nation"'),
    600_000,
  );

  const times: number[] = [];
  for (const [i, code] of communes.entries()) {
    const value = 7_000_000 + i * 1_111 + 7;
    const target = `c-${code}-0`;
    const started = performance.now();
    const response = await fetch(`${base}/v1/observations?mode=atomic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { indicator: 'bench_00', region: code, observed_at: new Date(Date.now() - 60_000).toISOString(), value },
      ]),
    });
    if (!response.ok) throw new Error(`push: ${response.status} ${await response.text()}`);
    const metricLine = new RegExp(`kpi_target_current_value\\{[^}]*target="${target}"[^}]*\\} ${value}\\n`);
    let onMetrics = false;
    let onPage = false;
    await until(
      `${target} = ${value}`,
      async () => {
        onMetrics ||= metricLine.test(await text('/metrics'));
        onPage ||= (await text(`/targets/${target}`)).includes(value.toLocaleString('en-US'));
        return onMetrics && onPage;
      },
      120_000,
    );
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.ceil(sorted.length * q) - 1]!;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `data: ${rows.toLocaleString('en-US')} observations, 10,000 targets; api and worker in separate processes`,
  );
  console.log(
    `push to /metrics and target page: p50 ${s(at(0.5))}, p95 ${s(at(0.95))} over ${times.length} pushes; ` +
      `full evaluation in the worker: ${s(fullMs)} (before: 2 s debounce + full evaluation + up to 10 s poll)`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  // The data set stays as bench:evaluate built it.
  await sql`delete from observations
            where observed_at >= timestamptz '2025-07-01 00:00+07' + ${days} * interval '1 day'`.execute(database.db);
  // Written outside the ingest: the first meetings counted with the pushed values go too.
  await sql`truncate target_reach`.execute(database.db);
  await database.close();
  await rm(jobsDir, { recursive: true, force: true });
}
