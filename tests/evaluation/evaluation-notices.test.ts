import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env-schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPacer, type Pacer } from '../../src/main.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { prepareDemoDatabase } from '../support/demo-database.js';
import { defaultBackend } from '../support/test-database.js';

/*
 * The scorecard's pages of "now" are rendered once per evaluation and kept: a new evaluation must
 * replace them, whether it ran in the same process or in a worker elsewhere (announced by a
 * PostgreSQL notification; the api's poll is set to an hour, so only the notification can explain it).
 */
const silent = () => createLogger({ level: 'silent', pretty: false });
/** A national count no demo figure has: seen on the page only once the evaluation after the push is loaded. */
const pushed = { indicator: 'vneid_accounts_issued', region: 'VN', value: 38765432 };
const shown = '38,765,432';

async function pageUntil(url: string, done: (html: string) => boolean, withinMs = 30_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  let html = '';
  while (Date.now() < deadline) {
    html = await (await fetch(url)).text();
    if (done(html)) return html;
    await new Promise((r) => setTimeout(r, 100));
  }
  return html;
}

async function push(pacer: Pacer, observedAt: string, value: number): Promise<void> {
  await pacer.services.ingestor.ingest({
    source: 'cli',
    mode: 'atomic',
    records: [{ line: 1, indicator: pushed.indicator, region: pushed.region, observed_at: observedAt, value }],
  });
}

describe('cached scorecard pages after a new evaluation', async () => {
  const backend = await defaultBackend();
  let db: Awaited<ReturnType<typeof prepareDemoDatabase>>;

  beforeAll(async () => {
    db = await prepareDemoDatabase(backend, 'notices');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('shows the value of a push once the evaluation after it ran in the same process', async () => {
    const pacer = await openPacer(loadConfig({ ...db.env, PORT: '0', HOST: '127.0.0.1' }), silent(), {
      roles: ['api', 'worker'],
    });
    try {
      await pacer.start();
      const url = `http://127.0.0.1:${pacer.roles.api!.port}/targets/vneid-accounts-40m`;
      const before = await (await fetch(url)).text();
      expect(before).not.toContain(shown);
      expect(await (await fetch(url)).text()).toBe(before);
      await push(pacer, new Date(Date.now() - 3_600_000).toISOString(), pushed.value);
      expect(await pageUntil(url, (html) => html.includes(shown))).toContain(shown);
    } finally {
      await pacer.stop();
    }
  });

  it.runIf(backend === 'postgres')(
    'shows a worker’s new evaluation in an api process of its own, told by a notification, not its poll',
    async () => {
      let api: RunningChild | undefined;
      // This process plays the worker: it saves runs; the api child only listens.
      const worker = await openPacer(loadConfig(db.env), silent());
      try {
        api = await startPacer({ ...db.env, PACER_METRICS_REFRESH_SECONDS: '3600' }, { args: ['--roles', 'api'] });
        await worker.services.evaluation.evaluate();
        const url = `${api.baseUrl}/targets/vneid-accounts-40m`;
        // The api loads the run at start or on its notice; once loaded the page is cached.
        await pageUntil(url, () => false, 1_000);
        const before = await (await fetch(url)).text();
        const metricsBefore = await (await fetch(`${api.baseUrl}/metrics`)).text();
        await push(worker, new Date(Date.now() - 1_800_000).toISOString(), pushed.value + 1);
        await worker.services.evaluation.evaluateChanges();
        const after = await pageUntil(url, (html) => html.includes('38,765,433'));
        expect(after).not.toBe(before);
        expect(after).toContain('38,765,433');
        const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
        expect(metricsBefore).not.toMatch(/\} 38765433\n/);
        expect(metrics).toMatch(/kpi_target_current_value\{[^}]*target="vneid-accounts-40m"[^}]*\} 38765433/);
      } finally {
        await api?.stop();
        await worker.stop();
      }
    },
    120_000,
  );
});
