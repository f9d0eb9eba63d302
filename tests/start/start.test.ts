import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/storage/database.js';
import { which } from '../support/binaries.js';
import { runPacerCli, startPacer } from '../support/pacer-process.js';
import { servicesRequired } from '../support/services.js';
import { createSchema, dropSchema, schemaUrl, testBackends, uniqueSchema } from '../support/test-database.js';
import { kpiMetrics } from '../../src/conventions.js';

const backends = await testBackends();
const promtool = which('promtool');
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-start-'));
  dirs.push(dir);
  return dir;
}

describe('pacer start on the embedded database (no services configured)', () => {
  it('answers /readyz within 30 s, stops cleanly on SIGTERM, and keeps its data for the next start', async () => {
    const dataDir = await tempDir();
    const first = await startPacer({ PACER_DATA_DIR: dataDir });
    expect(first.readyAfterMs).toBeLessThan(30_000);
    const ready = await (await fetch(`${first.baseUrl}/readyz`)).json();
    expect(ready).toEqual({ ready: true, checks: { database: { ok: true }, catalog: { ok: true } } });
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.baseUrl}/no-such-page`)).status).toBe(404);
    const metrics = await fetch(`${first.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const exposition = await metrics.text();
    expect(exposition).toContain('process_cpu_user_seconds_total');
    // The worker role evaluated at start: the Directive 05 targets are on /metrics.
    expect(exposition).toMatch(/^kpi_target_status\{target="vneid-accounts-40m",.*status="missed"\} 1$/m);
    if (promtool || servicesRequired) {
      const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
      expect(check.stdout + check.stderr, 'promtool check metrics').toBe('');
    }
    // The shipped feeds run in this process: the Scheme 06 feed's missed slot at start.
    let feed: { last_run: { trigger: string; status: string; received: number } | null } | undefined;
    for (let i = 0; i < 100 && feed?.last_run?.status !== 'succeeded'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      const feeds = (await (await fetch(`${first.baseUrl}/v1/feeds`)).json()) as {
        items: { id: string; last_run: { trigger: string; status: string; received: number } | null }[];
      };
      feed = feeds.items.find((f) => f.id === 'scheme06-figures');
    }
    expect(feed?.last_run).toMatchObject({ trigger: 'catchup', status: 'succeeded', received: 32 });
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).not.toMatch(/"level":(50|60)/);
    expect(existsSync(path.join(dataDir, 'pacer.lock'))).toBe(false);

    // Second start: same files, the catalog unchanged and the demo data not loaded again.
    const second = await startPacer({ PACER_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect(second.output()).toContain('catalog unchanged');
    expect(second.output()).not.toContain('demo data loaded');
    expect(await second.stop('SIGINT')).toBe(0);

    const database = await createDatabase({ dataDir });
    try {
      // The feed read the same figures after the demo load: all unchanged, and not run again at the second start.
      const batches = await database.db
        .selectFrom('ingest_batches')
        .select(['source', 'feed', 'inserted', 'unchanged'])
        .orderBy('id')
        .execute();
      // The demo: a batch a publication day (each recorded as of that day), 32 values in all; then the feed's one.
      const demo = batches.filter((b) => b.source === 'demo');
      expect(demo.length).toBeGreaterThan(1);
      expect(demo.every((b) => b.feed === 'scheme06-figures' && b.unchanged === 0)).toBe(true);
      expect(demo.reduce((n, b) => n + b.inserted, 0)).toBe(32);
      expect(batches.slice(demo.length)).toEqual([
        { source: 'feed', feed: 'scheme06-figures', inserted: 0, unchanged: 32 },
      ]);
      expect((await database.db.selectFrom('targets').select('id').execute()).length).toBe(18);
    } finally {
      await database.close();
    }
  });

  it('refuses a second server on the same embedded database, naming the one that holds it', async () => {
    const dataDir = await tempDir();
    const first = await startPacer({ PACER_DATA_DIR: dataDir }, { readyWithinMs: 110_000 });
    try {
      // Commands share the running server's database (tests/cli/beside-start-cli.test.ts); a second server does not.
      const second = await runPacerCli(['start'], { PACER_DATA_DIR: dataDir, PORT: '0' });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`in use by process ${first.child.pid}`);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });
});

describe.runIf(backends.includes('postgres'))('pacer start on PostgreSQL (DATABASE_URL set)', () => {
  it('migrates, applies the catalog, loads the demo data and becomes ready', async () => {
    const schema = uniqueSchema('start');
    await createSchema(schema);
    try {
      const running = await startPacer({ DATABASE_URL: schemaUrl(schema), PACER_DATA_DIR: await tempDir() });
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
      expect(await running.stop()).toBe(0);

      // An api-only process serves the evaluation another process stored.
      const api = await startPacer(
        { DATABASE_URL: schemaUrl(schema), PACER_METRICS_REFRESH_SECONDS: '0.2' },
        { args: ['--roles', 'api'] },
      );
      let body = '';
      for (let i = 0; i < 300 && !body.includes(kpiMetrics.targetStatus); i++) {
        body = await (await fetch(`${api.baseUrl}/metrics`)).text();
        if (!body.includes(kpiMetrics.targetStatus)) await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toMatch(/^kpi_target_status\{target="vneid-accounts-40m",.*status="missed"\} 1$/m);
      expect(await api.stop()).toBe(0);

      const plan = await runPacerCli(['catalog', 'plan'], { DATABASE_URL: schemaUrl(schema) });
      expect(plan).toMatchObject({ code: 0, stdout: 'No changes: the database matches the catalog.\n' });
      const apply = await runPacerCli(['catalog', 'apply'], { DATABASE_URL: schemaUrl(schema) });
      expect(apply).toMatchObject({ code: 0, stdout: 'No changes: the database matches the catalog.\n' });
      const successors = await runPacerCli(['regions', 'successors', '--level', 'province', '--at', '2025-07-01'], {
        DATABASE_URL: schemaUrl(schema),
      });
      expect(successors.code).toBe(0);
      expect(successors.stdout.trim().split('\n')).toHaveLength(1 + 63); // a header row, then the mappings
      expect(successors.stdout).toMatch(/^74\s+Tỉnh Bình Dương\s+79\s+Thành phố Hồ Chí Minh\s+full$/m);
    } finally {
      await dropSchema(schema);
    }
  });

  it('exits 2 with a clear message when PostgreSQL cannot be reached', async () => {
    const result = await runPacerCli(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: .*(ECONNREFUSED|connect)/);
  });
});
