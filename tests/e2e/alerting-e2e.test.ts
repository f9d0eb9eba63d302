import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidCatalog } from '../../src/catalog/apply-catalog.js';
import { calendarDateOf, formatCalendarDate } from '../../src/domain/time/zoned-time.js';
import { generateFiles } from '../../src/generate/generate-files.js';
import { generateOptionsSchema } from '../../src/generate/generate-options.js';
import { which } from '../support/binaries.js';
import {
  promQuery,
  removeDirs,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  waitFor,
  type Alert,
  type TestProcess,
} from '../support/monitoring-stack.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { servicesRequired, testDatabaseUrl } from '../support/services.js';
import { createSchema, dropSchema, schemaUrl, testBackends, uniqueSchema } from '../support/test-database.js';
import { alertNames, kpiMetrics } from '../../src/conventions.js';

/**
 * The operators' path end to end, with Debian's real Prometheus and Alertmanager: Pacer on
 * PostgreSQL, Prometheus scraping it every second with the generated rules (`for` shortened),
 * Alertmanager routing to a webhook this test runs. Observations pushed over the API put one
 * target off track and keep another on track; the alerts must reach the webhook with the right
 * labels and annotations, the healthy target must stay quiet, every PromQL expression of every
 * generated dashboard must return series, and every SQL query of their PostgreSQL panels rows.
 */
const prometheusBinary = which('prometheus');
const alertmanagerBinary = which('prometheus-alertmanager') ?? which('alertmanager');
const backends = await testBackends();
const runnable = backends.includes('postgres') && prometheusBinary !== undefined && alertmanagerBinary !== undefined;
const adminToken = 'e2e-admin-token-0123456789abcdefghij';
const DAY = 86_400_000;
const tz = 'Asia/Ho_Chi_Minh';
const day = (offset: number) => formatCalendarDate(calendarDateOf(new Date(Date.now() + offset * DAY), tz));

describe.skipIf(!runnable && !servicesRequired)(
  'alerts and dashboards end to end (needs PostgreSQL and Debian packages prometheus, prometheus-alertmanager)',
  () => {
    const schema = uniqueSchema('e2e');
    const dirs: string[] = [];
    const processes: TestProcess[] = [];
    let pacer: RunningChild;
    let prometheus: { url: string };
    let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;

    beforeAll(async () => {
      expect(runnable, 'PostgreSQL, prometheus and prometheus-alertmanager are required').toBe(true);
      await createSchema(schema);
      // The shipped catalog plus targets due in 100 days: one falling behind, one ahead of pace,
      // and one set for a 2025 province.
      const catalogDir = await mkdtemp(path.join(tmpdir(), 'pacer-e2e-catalog-'));
      dirs.push(catalogDir);
      await cp('catalog', catalogDir, { recursive: true });
      const target = (id: string, indicator: string, region: string, value: number) =>
        `  - { id: ${id}, title: "E2E ${id}", indicator: ${indicator}, region: "${region}", ` +
        `owner: E2E owner, source: e2e, baseline: { value: 0, date: ${day(-100)} }, ` +
        `target: ${value}, due: ${day(100)} }`;
      await writeFile(
        path.join(catalogDir, 'e2e.yaml'),
        `apiVersion: pacer/v1\nkind: TargetSet\ndirective: ct-05-2023\ntargets:\n${[
          target('e2e-off-track', 'vneid_applications_received', 'VN', 1_000_000),
          target('e2e-healthy', 'vneid_accounts_activated', 'VN', 1000),
          target('e2e-province', 'chip_id_cards_issued', '79', 1000),
        ].join('\n')}\n`,
      );

      // Two feeds the in-process scheduler runs once at start (their yearly slot was missed): one
      // succeeds and then, expected every 2 s, goes stale; the other's file has a wrong header and fails.
      const jobsDir = await mkdtemp(path.join(tmpdir(), 'pacer-e2e-jobs-'));
      dirs.push(jobsDir);
      const feed = (id: string, file: string) =>
        `apiVersion: pacer/v1\nkind: Feed\nid: ${id}\nschedule: "0 0 1 1 *"\nexpected_every: 2s\n` +
        `retries: { attempts: 0 }\nindicators: ["vneid_*"]\nsource: { type: file, path: ${file} }\n`;
      await writeFile(
        path.join(jobsDir, 'fresh.csv'),
        `indicator,region,observed_at,value\nvneid_accounts_issued,VN,${day(-3)},1000\n`,
      );
      await writeFile(
        path.join(jobsDir, 'broken.csv'),
        `indicator,region,date,value\nvneid_accounts_issued,VN,${day(-3)},1000\n`,
      );
      await writeFile(
        path.join(jobsDir, 'feeds.yaml'),
        `${feed('e2e-stale', 'fresh.csv')}---\n${feed('e2e-failing', 'broken.csv')}`,
      );

      pacer = await startPacer({
        DATABASE_URL: schemaUrl(schema),
        PACER_CATALOG_DIR: catalogDir,
        PACER_JOBS_DIR: jobsDir,
        PACER_DEMO_DATA: 'false',
        PACER_ADMIN_TOKEN: adminToken,
        PACER_METRICS_REFRESH_SECONDS: '0.5',
        PACER_READER_PASSWORD: 'e2e-reader-password',
      });
      const push = async (rows: object[], mode = 'atomic') => {
        const response = await fetch(`${pacer.baseUrl}/v1/observations?mode=${mode}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(rows),
        });
        expect(response.status, await response.clone().text()).toBe(200);
        return (await response.json()) as { inserted: number; updated: number; rejected: number };
      };
      const series = (indicator: string, region: string, values: [number, number][]) =>
        values.map(([d, value]) => ({ indicator, region, observed_at: day(d), value }));
      await push(
        series('vneid_applications_received', 'VN', [
          [-90, 1000],
          [-60, 2000],
          [-30, 3000],
          [-2, 4000],
        ]),
      );
      await push(
        series('vneid_accounts_activated', 'VN', [
          [-90, 100],
          [-60, 250],
          [-30, 400],
          [-2, 545],
        ]),
      );
      await push(
        series('chip_id_cards_issued', '79', [
          [-90, 100],
          [-60, 250],
          [-30, 400],
          [-2, 545],
        ]),
      );
      // A correction (kept as a revision) and a rejected row, so every panel has something to show.
      expect(await push(series('vneid_applications_received', 'VN', [[-2, 4100]]))).toMatchObject({ updated: 1 });
      expect(
        await push(
          [
            ...series('vneid_accounts_activated', 'VN', [[-1, 550]]),
            { indicator: 'no_such_indicator', region: 'VN', observed_at: day(-1), value: 1 },
          ],
          'partial',
        ),
      ).toMatchObject({ rejected: 1 });

      const { catalog } = await loadValidCatalog(catalogDir);
      const rules = generateFiles(
        catalog,
        generateOptionsSchema.parse({ targetAlertFor: '2s', pipelineAlertFor: '2s' }),
      ).get('prometheus/pacer-rules.yml')!;
      webhook = await startWebhookReceiver();
      const alertmanager = await startAlertmanager(alertmanagerBinary!, webhook.url);
      processes.push(alertmanager.process);
      dirs.push(alertmanager.dir);
      const prom = await startPrometheus(prometheusBinary!, {
        pacer: pacer.baseUrl,
        rules,
        alertmanager: alertmanager.url,
      });
      processes.push(prom.process);
      dirs.push(prom.dir);
      prometheus = prom;
    }, 120_000);

    afterAll(async () => {
      for (const p of processes) await p.stop();
      await pacer?.stop();
      await webhook?.close();
      await removeDirs(dirs);
      await dropSchema(schema);
    });

    const received = (name: string, target?: string) =>
      webhook.alerts.filter((a) => a.labels.alertname === name && (target === undefined || a.labels.target === target));

    it('sends the off-track alert to the webhook with its labels, reason and humanized annotations', async () => {
      const [alert] = await waitFor<Alert[]>(
        'KpiTargetOffTrack for e2e-off-track at the webhook',
        async () =>
          received(alertNames.targetOffTrack, 'e2e-off-track').length > 0
            ? received(alertNames.targetOffTrack, 'e2e-off-track')
            : undefined,
        90_000,
      );
      expect(alert!.status).toBe('firing');
      expect(alert!.labels).toMatchObject({
        severity: 'critical',
        target: 'e2e-off-track',
        directive: 'ct-05-2023',
        owner: 'E2E owner',
        indicator: 'vneid_applications_received',
        region: 'VN',
        title: 'E2E e2e-off-track',
        kind: 'cumulative',
        reason: 'forecast_short',
      });
      expect(alert!.annotations.summary).toBe('Target e2e-off-track is off track: E2E e2e-off-track');
      expect(alert!.annotations.description).toMatch(
        new RegExp(
          '^E2E owner \\(ct-05-2023\\): the forecast misses the target by more than the tolerance\\. ' +
            'Reason: forecast_short\\. ' +
            'Current 4\\.1k, expected by now \\d+(\\.\\d+)?k, ' +
            'projected at the deadline [\\d.]+k against a target of 1M; ' +
            // The due day as the directive's people read it (its local calendar day), not a UTC instant.
            'deadline \\d{4}-\\d{2}-\\d{2}\\.$',
        ),
      );
      expect(alert!.annotations.summary_vi).toBe('Chỉ tiêu e2e-off-track chậm tiến độ: E2E e2e-off-track');
      expect(alert!.annotations.description_vi).toMatch(/; thời hạn \d{2}\/\d{2}\/\d{4}\.$/);
      expect(alert!.annotations.runbook_url).toBe('http://localhost:8080/runbooks#kpitargetofftrack');
      expect(alert!.annotations.dashboard_url).toBe('http://localhost:3000/d/pacer-target?var-target=e2e-off-track');
    });

    it(
      'sends KpiFeedStale for the feed gone quiet and KpiFeedFailing ' +
        'for the one whose last run failed, from no per-feed rule',
      async () => {
        const [stale] = await waitFor<Alert[]>(
          'KpiFeedStale for e2e-stale at the webhook',
          async () => (received(alertNames.feedStale).length > 0 ? received(alertNames.feedStale) : undefined),
          90_000,
        );
        expect(stale!.labels).toMatchObject({ alertname: alertNames.feedStale, feed: 'e2e-stale' });
        expect(stale!.annotations.description).toMatch(/expected every 2s/);
        const [failing] = await waitFor<Alert[]>(
          'KpiFeedFailing for e2e-failing at the webhook',
          async () => (received(alertNames.feedFailing).length > 0 ? received(alertNames.feedFailing) : undefined),
          60_000,
        );
        expect(failing!.labels).toMatchObject({ alertname: alertNames.feedFailing, feed: 'e2e-failing' });
        expect(received(alertNames.feedStale).map((a) => a.labels.feed)).not.toContain('e2e-failing');
        expect(received(alertNames.feedFailing).map((a) => a.labels.feed)).not.toContain('e2e-stale');
      },
    );

    it('leaves the healthy targets quiet', async () => {
      const healthy = await promQuery(
        prometheus.url,
        `${kpiMetrics.targetStatus}{target=~"e2e-healthy|e2e-province"} == 1`,
      );
      expect(healthy.map((s) => [s.metric.target, s.metric.status]).sort()).toEqual([
        ['e2e-healthy', 'on_track'],
        ['e2e-province', 'on_track'],
      ]);
      const firing = await promQuery(prometheus.url, 'ALERTS{target=~"e2e-healthy|e2e-province"}');
      expect(firing).toEqual([]);
      expect(webhook.alerts.filter((a) => ['e2e-healthy', 'e2e-province'].includes(a.labels.target ?? ''))).toEqual([]);
    });

    it('answers every PromQL expression of every generated dashboard with at least one series', async () => {
      const variables: Record<string, string> = {
        directive: 'ct-05-2023',
        owner: '.*',
        target: 'e2e-off-track',
        indicator: 'chip_id_cards_issued',
      };
      const expressions = await dashboardQueries('expr');
      expect(expressions.length).toBeGreaterThan(25);
      const empty: string[] = [];
      await waitFor(
        'every dashboard expression to return series',
        async () => {
          empty.length = 0;
          for (const { board, panel, query } of expressions) {
            const expr = query.replace(/\$(\w+)/g, (_m, name: string) => variables[name] ?? `$${name}`);
            if ((await promQuery(prometheus.url, expr)).length === 0) empty.push(`${board} / ${panel}: ${expr}`);
          }
          return empty.length === 0 ? true : undefined;
        },
        45_000,
        2_000,
      ).catch(() => undefined);
      expect(empty).toEqual([]);
    }, 90_000);

    it('runs every SQL query of the PostgreSQL panels, as the read-only role, and gets rows', async () => {
      const queries = await dashboardQueries('rawSql');
      expect(queries.length).toBeGreaterThanOrEqual(7);
      expect(queries.map((q) => q.panel)).toContain('annotation Catalog events');
      const u = new URL(testDatabaseUrl);
      u.username = 'pacer_reader';
      u.password = 'e2e-reader-password';
      u.searchParams.set('options', `-c search_path=${schema}`);
      const client = new pg.Client({ connectionString: u.toString() });
      await client.connect();
      try {
        for (const { board, panel, query } of queries) {
          // Grafana's macros and variables, substituted the way Grafana would for a ten-year range.
          const sql = query
            .replace(
              /\$__timeFilter\(([^)]+)\)/g,
              `$1 between now() - interval '10 years' and now() + interval '1 year'`,
            )
            .replace(/\$target\b/g, 'e2e-off-track');
          const result = await client.query(sql);
          expect(result.rows.length, `${board} / ${panel}: ${sql}`).toBeGreaterThan(0);
        }
      } finally {
        await client.end();
      }
    });
  },
);

/** Every query of one kind (PromQL `expr` or PostgreSQL `rawSql`) in the committed dashboards. */
async function dashboardQueries(kind: 'expr' | 'rawSql'): Promise<{ board: string; panel: string; query: string }[]> {
  const out: { board: string; panel: string; query: string }[] = [];
  for (const file of (await readdir('dashboards/grafana')).sort()) {
    const board = JSON.parse(await readFile(path.join('dashboards/grafana', file), 'utf8')) as {
      title: string;
      panels: { title: string; targets?: Record<string, string>[] }[];
      annotations?: { list?: { name: string; target?: Record<string, string> }[] };
    };
    for (const panel of board.panels)
      for (const target of panel.targets ?? [])
        if (target[kind]) out.push({ board: board.title, panel: panel.title, query: target[kind]! });
    // Annotation queries run on the same datasources, so they are checked the same way.
    for (const annotation of board.annotations?.list ?? [])
      if (annotation.target?.[kind])
        out.push({ board: board.title, panel: `annotation ${annotation.name}`, query: annotation.target[kind]! });
  }
  return out;
}
