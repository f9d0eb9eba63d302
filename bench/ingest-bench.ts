/**
 * How fast is the push API against the physical floor? Generates N rows, times `psql \copy` of the
 * same rows into an empty table identical to observations (same columns, keys and indexes), then
 * the same rows through a running API (`pacer start --roles api`, its own process) on the real
 * PostgreSQL as NDJSON and as CSV, then a re-send of the identical NDJSON (all unchanged).
 *
 *   npm run bench:ingest [-- --rows 1000000] [-- --repeat 3] [-- --url postgres://...]
 *
 * Prints one line per figure with its ratio to \copy, and the API process's peak RSS. With
 * --repeat, each figure is the best of that many runs (the machine is shared and noisy).
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../tests/support/pacer-process.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '1' },
    url: { type: 'string' },
  },
});
const rows = Number(values.rows);
const repeat = Math.max(1, Number(values.repeat));
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_ingest_${process.pid}`;
const schemaUrl = (() => {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
})();
const admin = `bench-admin-${process.pid}-${Date.now()}-0123456789`;
const dir = await mkdtemp(path.join(tmpdir(), 'pacer-bench-'));
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`create schema ${schema}`);
await client.query(`set search_path to ${schema}`);

const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const api = spawn(process.execPath, ['bin/pacer.js', 'start', '--roles', 'api'], {
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: schemaUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    PACER_DEMO_DATA: 'false',
    PACER_ADMIN_TOKEN: admin,
    PACER_INGEST_MAX_BYTES: '4g',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const n = (x: number) => x.toLocaleString('en-US');

try {
  await waitReady();
  const token = await writerToken();
  const files = await generate();
  const ndjsonMb = (await stat(files.ndjson)).size / 1_048_576;
  const csvMb = (await stat(files.csv)).size / 1_048_576;
  console.log(
    `${n(rows)} rows (NDJSON ${ndjsonMb.toFixed(0)} MB, CSV ${csvMb.toFixed(0)} MB); ` +
      `PostgreSQL ${(await client.query('show server_version')).rows[0].server_version}, Node ${process.version}`,
  );

  await client.query('create table bench_ref (like observations including all)');
  const copy = await best(async () => {
    await client.query('truncate bench_ref');
    await client.query('checkpoint');
    const started = performance.now();
    await promisify(execFile)('psql', [
      schemaUrl.replace(/\?.*$/, ''),
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `set search_path to ${schema}`,
      '-c',
      `\\copy bench_ref (indicator_id, region_id, observed_at, dims, value, note) from '${files.reference}'`,
    ]);
    return performance.now() - started;
  });

  const viaApi = async (file: string, contentType: string, expect: 'inserted' | 'unchanged', fresh: boolean) =>
    best(async () => {
      // Each committed batch asks for an evaluation 2 s later (debounced): let it run before timing the next.
      await new Promise((r) => setTimeout(r, 3_000));
      if (fresh) await client.query('truncate observations, observation_revisions');
      await client.query('checkpoint');
      const started = performance.now();
      const response = await fetch(`${baseUrl}/v1/observations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': contentType,
          'content-length': String((await stat(file)).size),
        },
        body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const summary = (await response.json()) as Record<string, number>;
      const ms = performance.now() - started;
      if (response.status !== 200 || summary[expect] !== rows)
        throw new Error(`unexpected answer ${response.status}: ${JSON.stringify(summary).slice(0, 500)}`);
      return ms;
    });

  const ndjson = await viaApi(files.ndjson, 'application/x-ndjson', 'inserted', true);
  const csv = await viaApi(files.csv, 'text/csv', 'inserted', true);
  const resend = await viaApi(files.ndjson, 'application/x-ndjson', 'unchanged', false);
  const rss = await peakRss(api.pid!);

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (ms: number) => (ms / copy).toFixed(2);
  console.log(`psql \\copy ${n(rows)} rows into an identical empty table: ${s(copy)} (the reference)`);
  console.log(
    `ingest ${n(rows)} rows as NDJSON through the API: ${s(ndjson)}, psql \\copy ${s(copy)}, ` +
      `ratio ${ratio(ndjson)} (goal <= 2.0, stretch 1.5)`,
  );
  console.log(
    `ingest ${n(rows)} rows as CSV through the API: ${s(csv)}, psql \\copy ${s(copy)}, ` +
      `ratio ${ratio(csv)} (goal <= 2.0, stretch 1.5)`,
  );
  console.log(
    `re-send the identical ${n(rows)} NDJSON rows (all unchanged): ${s(resend)}, psql \\copy ${s(copy)}, ` +
      `ratio ${ratio(resend)} (goal <= 2.0)`,
  );
  console.log(`API process peak RSS: ${rss.toFixed(0)} MB (goal <= 300 MB at 1,000,000 rows)`);
} finally {
  api.kill('SIGTERM');
  await new Promise((resolve) => api.once('exit', resolve));
  await client.query(`drop schema ${schema} cascade`);
  await client.end();
  await rm(dir, { recursive: true, force: true });
}

async function best(run: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) min = Math.min(min, await run());
  return min;
}

/** The same rows three ways: NDJSON and CSV for the API, region ids and instants for \copy. */
async function generate(): Promise<{ ndjson: string; csv: string; reference: string }> {
  const indicators = (
    await client.query(`select id from indicators where kind in ('cumulative', 'level') order by id`)
  ).rows.map((r) => r.id as string);
  const communes = (
    await client.query(`select id, code from regions where level = 'commune' and valid_from is not null order by code`)
  ).rows as { id: number; code: string }[];
  const files = {
    ndjson: path.join(dir, 'rows.ndjson'),
    csv: path.join(dir, 'rows.csv'),
    reference: path.join(dir, 'rows.tsv'),
  };
  const out = {
    ndjson: createWriteStream(files.ndjson),
    csv: createWriteStream(files.csv),
    reference: createWriteStream(files.reference),
  };
  out.csv.write('indicator,region,observed_at,value\n');
  const perDay = indicators.length * communes.length;
  let buf = { ndjson: '', csv: '', reference: '' };
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2025, 6, 1 + Math.floor(i / perDay))).toISOString().slice(0, 10);
    const c = communes[i % communes.length]!;
    const indicator = indicators[Math.floor(i / communes.length) % indicators.length]!;
    buf.ndjson += `{"indicator":"${indicator}","region":"${c.code}","observed_at":"${day}","value":${i}}\n`;
    buf.csv += `${indicator},${c.code},${day},${i}\n`;
    buf.reference += `${indicator}\t${c.id}\t${day}T00:00:00+07:00\t{}\t${i}\t\\N\n`;
    if (buf.ndjson.length > 1 << 20) {
      for (const k of ['ndjson', 'csv', 'reference'] as const)
        if (!out[k].write(buf[k])) await new Promise<void>((r) => out[k].once('drain', () => r()));
      buf = { ndjson: '', csv: '', reference: '' };
    }
  }
  for (const k of ['ndjson', 'csv', 'reference'] as const) {
    out[k].end(buf[k]);
    await finished(out[k]);
  }
  return files;
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (
      (await fetch(`${baseUrl}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return;
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not become ready');
}

async function writerToken(): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ feed: 'bench', role: 'writer' }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** VmHWM: the most resident memory the process ever had, in MB. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
