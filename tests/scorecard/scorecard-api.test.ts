import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWorstFirst } from '../../src/domain/evaluation/status-order.js';
import { buildHttpServer } from '../../src/http/http-server.js';
import { OpenApiRegistry } from '../../src/http/openapi-registry.js';
import { createLogger } from '../../src/logging/logger.js';
import type { PacerServices } from '../../src/main.js';
import { formatValue } from '../../src/scorecard/scorecard-format.js';
import { scorecardPages } from '../../src/scorecard/scorecard-pages.js';
import { scorecardRoutes } from '../../src/scorecard/scorecard-routes.js';
import { targetDetailSchema, targetListSchema, type TargetList } from '../../src/scorecard/scorecard-schema.js';
import { openDemoPacer } from '../support/demo-database.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();
const DAY = 86_400_000;
// The end of 30 June 2023 in Asia/Ho_Chi_Minh: every bare date is the last instant of its day.
const deadline = '2023-06-30T16:59:59.999Z';
// The 40-million target by hand (see tests/evaluation/directive-05.test.ts): the pace from the
// baseline (11.1M on 2022-10-20) to the latest national count (12.5M on 2022-11-07), 1.4M in 18 days,
// drawn from that latest count (the indicator is cumulative) over the 253 − 18 days left to the deadline.
const projected40m = 12_500_000 + (1_400_000 / 18) * (253 - 18);
/** The end of a calendar day in Asia/Ho_Chi_Minh (UTC+7), as the API writes an observation dated that day. */
const endOf = (day: string) => new Date(Date.parse(`${day}T23:59:59.999+07:00`)).toISOString();

/** Every response body a browser would load for the page: the HTML, its stylesheets and scripts. */
async function pageWeight(
  app: FastifyInstance,
  url: string,
): Promise<{ html: number; total: number; assets: string[] }> {
  const page = await app.inject({ url });
  expect(page.statusCode).toBe(200);
  const assets = [...page.body.matchAll(/<(?:link[^>]+href|script[^>]+src)="(\/[^"]+)"/g)].map((m) =>
    m[1]!.replaceAll('&amp;', '&'),
  );
  let total = page.rawPayload.length;
  for (const asset of assets) {
    const response = await app.inject({ url: asset });
    expect(response.statusCode, asset).toBe(200);
    total += response.rawPayload.length;
  }
  return { html: page.rawPayload.length, total, assets };
}

describe.each(backends)('the scorecard API and pages on %s', (backend) => {
  let pacer: PacerServices;
  let drop: () => Promise<void>;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ services: pacer, drop } = await openDemoPacer(backend, 'scorecard_api'));
    // Two tasks reported not done (0) on 1 June 2023, so that 30 June 2023 has a task at risk (due that
    // day) and one on track (due September): tasks nobody reported on are no_data.
    const records = ['task_moha_officials_database', 'task_mic_egov_architecture'].map((indicator, i) => ({
      line: i + 1,
      indicator,
      region: 'VN',
      observed_at: '2023-06-01',
      value: 0,
    }));
    expect(await pacer.ingestor.ingest({ source: 'cli', mode: 'atomic', records })).toMatchObject({ inserted: 2 });
    app = await buildHttpServer({
      logger: createLogger({ level: 'silent', pretty: false }),
      readiness: async () => ({ ready: true, checks: {} }),
      authorize: async () => undefined,
      routes: [
        scorecardRoutes({
          scorecard: pacer.scorecard,
          openapi: new OpenApiRegistry({ title: 'scorecard', version: '1' }),
        }),
        await scorecardPages(pacer.scorecard),
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const list = async (query = '') => {
    const response = await app.inject({ url: `/v1/targets${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return targetListSchema.parse(response.json());
  };

  it('lists every Directive 05 target as of a date, worst first, with the CLI’s --at semantics', async () => {
    const body = await list('?at=2023-06-30');
    expect(body.as_of).toBe(deadline); // the end of 30 June in Asia/Ho_Chi_Minh
    expect(body.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(body.total).toBe(18);
    expect(body.targets).toHaveLength(18);
    // The eight tasks due by 31 May, missed; the other tasks nobody reported on, the two ehealth targets
    // without a value and the stale village count, no_data; the two tasks reported not done, at risk and
    // on track.
    expect(body.counts).toEqual({ missed: 8, off_track: 1, at_risk: 1, no_data: 7, on_track: 1, achieved: 0 });
    const key = (t: TargetList['targets'][number]) => ({
      id: t.target,
      status: t.status,
      progress: t.progress,
      expectedProgress: t.expected_progress,
      deadline: Date.parse(t.deadline),
    });
    const sorted = [...body.targets].sort((a, b) => compareWorstFirst(key(a), key(b)));
    expect(body.targets.map((t) => t.target)).toEqual(sorted.map((t) => t.target));
    expect(body.targets[0]!.status).toBe('missed');
    expect(body.targets.at(-1)!.status).toBe('on_track');
    const t = body.targets.find((x) => x.target === 'vneid-accounts-40m')!;
    expect(t).toMatchObject({
      status: 'off_track',
      reason: 'forecast_short',
      explanation:
        'At 77,778 a day the forecast reaches 30,777,778 of 40,000,000 by 30 Jun 2023 (68.1%): ' +
        'short beyond the 10.0% tolerance.',
      partial: false,
      value_at_deadline: null,
      current: 12_500_000,
      deadline,
      projected_completion: '2023-10-27',
      indicator_name: 'VNeID e-ID accounts issued',
      unit: 'accounts',
      kind: 'cumulative',
    });
    expect(t.projected).toBeCloseTo(projected40m, 4);
    expect(t.progress).toBeCloseTo(1_400_000 / 28_900_000, 10);
    expect(body.targets.find((x) => x.target === 'moha-officials-database')).toMatchObject({
      status: 'at_risk',
      reason: 'task_due_soon',
      projected: null,
    });
    expect(body.targets.find((x) => x.target === 'mic-egov-architecture')).toMatchObject({
      status: 'on_track',
      reason: 'task_open',
      projected: null,
    });
    expect(body.targets.find((x) => x.target === 'mic-chip-id-display-guidelines')).toMatchObject({
      status: 'no_data',
      reason: 'no_report',
    });

    // Past the deadline the figure is the actual value at the deadline, and no completion date.
    const now = await list();
    expect(now.targets.find((x) => x.target === 'vneid-accounts-40m')).toMatchObject({
      status: 'missed',
      reason: 'deadline_passed',
      projected: 12_500_000,
      value_at_deadline: 12_500_000,
      projected_completion: null,
    });
  });

  it('filters by status (comma-separated or repeated) and owner, keeping the counts of all', async () => {
    const some = await list('?at=2023-06-30&status=off_track,at_risk');
    expect(some.targets.map((t) => t.status).sort()).toEqual(['at_risk', 'off_track']);
    expect(some.total).toBe(18);
    const repeated = await list('?at=2023-06-30&status=off_track&status=at_risk');
    expect(repeated.targets).toEqual(some.targets);
    const mha = await list(`?at=2023-06-30&owner=${encodeURIComponent('Ministry of Home Affairs')}`);
    expect(mha.targets.length).toBeGreaterThan(0);
    expect(new Set(mha.targets.map((t) => t.owner))).toEqual(new Set(['Ministry of Home Affairs']));
    expect(mha.owners).toEqual([
      'Ministry of Home Affairs',
      'Ministry of Information and Communications',
      'Ministry of Public Security',
    ]);
  });

  it('answers a bad date or status with 400 naming the parameter, and an unknown target with 404', async () => {
    const badStatus = await app.inject({ url: '/v1/targets?status=late' });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error).toMatchObject({ code: 'invalid_request', issues: [{ field: 'status' }] });
    const badDate = await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-02-30' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error).toMatchObject({
      code: 'invalid_input',
      issues: [{ code: 'invalid_date', field: 'at' }],
    });
    const missing = await app.inject({ url: '/v1/targets/no-such-target' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'no target "no-such-target"' } });
  });

  it('draws the forecast of a missed target whose figures went on past the deadline to where it leads', async () => {
    const get = async (url: string) => targetDetailSchema.parse((await app.inject({ url })).json());
    // E-health records: nothing by the June 2023 deadline, 14.6M on 1 October 2024; the line from the baseline
    // (0 on the issue date) through it reaches 30 million after the date viewed: the forecast ends there.
    const ehealth = await get('/v1/targets/ehealth-records-on-vneid-30m?at=2025-06-30');
    expect(ehealth.target.status).toBe('missed');
    expect(ehealth.target.projected_completion).toBe('2026-06-08');
    expect(ehealth.forecast).toHaveLength(2);
    expect(ehealth.forecast[0]).toEqual({ at: endOf('2024-10-01'), value: 14_638_905 });
    expect(ehealth.forecast[1]!.value).toBeCloseTo(30_000_000, 0);
    expect(ehealth.forecast[1]!.at.slice(0, 10)).toBe('2026-06-08');
    // The villages: the line leads away from zero, so the forecast runs to the date viewed.
    const villages = await get('/v1/targets/villages-mobile-coverage-266?at=2025-06-30');
    expect(villages.target.projected_completion).toBeNull();
    expect(villages.forecast.map((p) => p.at)).toEqual([endOf('2025-03-31'), villages.as_of]);
    expect(villages.forecast[0]!.value).toBeCloseTo(717, 6);
  });

  it('lists the catalog events that concern a target and had happened by the date viewed', async () => {
    const get = async (url: string) => targetDetailSchema.parse((await app.inject({ url })).json());
    const villages = await get('/v1/targets/villages-mobile-coverage-266?at=2025-06-30');
    expect(villages.events.map((e) => [e.day, e.precision])).toEqual([
      ['2021-01-01', 'day'],
      ['2023-02-23', 'day'],
      ['2024-09-30', 'month'],
    ]);
    expect(villages.events[2]).toMatchObject({
      at: endOf('2024-09-30'),
      written: '2024-09',
      text: expect.stringContaining('grew to 3,310'),
      source: expect.stringMatching(/^https:/),
    });
    const earlier = await get('/v1/targets/villages-mobile-coverage-266?at=2024-06-30');
    expect(earlier.events.map((e) => e.day)).toEqual(['2021-01-01', '2023-02-23']);
    // The decree concerns the 40-million target only; the directive's issue concerns every target.
    const accounts = await get('/v1/targets/vneid-accounts-40m?at=2023-06-30');
    expect(accounts.events.map((e) => e.day)).toEqual(['2022-10-20', '2023-02-23']);
    const task = await get('/v1/targets/mic-egov-architecture?at=2023-06-30');
    expect(task.events.map((e) => e.text)).toEqual(['Directive 05/CT-TTg issued']);
  });

  it(
    'gives one target with its series, pace and forecast lines, ' +
      'and the provinces of today with 2023 data rolled up',
    async () => {
      const response = await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-06-30' });
      expect(response.statusCode).toBe(200);
      const d = targetDetailSchema.parse(response.json());
      expect(d.target).toMatchObject({
        target: 'vneid-accounts-40m',
        region_name: 'Việt Nam',
        source: 'Section 3',
        tolerance: 0.1,
        milestones: [],
      });
      expect(d.observations.map((o) => [o.observed_at, o.value])).toEqual([
        [endOf('2022-10-20'), 11_100_000],
        [endOf('2022-11-07'), 12_500_000],
      ]);
      expect(d.observations[1]!.note).toContain('12.1M level 2');
      expect(d).toMatchObject({ earlier_observations: 0, later_observations: 0 });
      expect(d.pace).toEqual([
        { at: endOf('2022-10-20'), value: 11_100_000 },
        { at: deadline, value: 40_000_000 },
      ]);
      // The forecast runs from the latest value to the deadline, on the line the projection came from.
      expect(d.forecast).toHaveLength(2);
      expect(d.forecast[0]).toEqual({ at: endOf('2022-11-07'), value: expect.closeTo(12_500_000, 4) });
      expect(d.forecast[1]!.at).toBe(deadline);
      expect(d.forecast[1]!.value).toBe(d.target.projected);
      expect(d.forecast[1]!.value).toBeCloseTo(projected40m, 4);

      // Today's map (34 provinces since 2025-07-01): Ho Chi Minh City's 2023 figure, reported under
      // its old code 79, counts toward the new 79 that absorbed 74 and 77 (1 of 3 parts reporting).
      expect(d.regions).toMatchObject({
        parent: { code: 'VN', name: 'Việt Nam' },
        level: 'province',
        parts: 34,
        reporting: 1,
      });
      expect(Date.parse(d.regions.in_force_at)).toBeGreaterThanOrEqual(Date.parse('2025-07-01T00:00:00+07:00'));
      expect(d.regions.items).toEqual([
        {
          code: '79',
          name: 'Thành phố Hồ Chí Minh',
          value: 1_497_360,
          observed_at: endOf('2023-03-01'),
          source: 'predecessors',
          coverage: expect.closeTo(1 / 3, 10),
        },
      ]);
      expect(d.regions.missing).toHaveLength(33);

      // Before the city's figure was published (on the directive's issue day), no province had one.
      const before = targetDetailSchema.parse(
        (await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-02-23' })).json(),
      );
      expect(before.regions).toMatchObject({ parts: 34, reporting: 0, items: [] });
    },
  );

  it('shows the status changes of stored evaluations up to the date asked for', async () => {
    const evaluatedAt = new Date(deadline);
    await pacer.evaluation.evaluate({ asOf: evaluatedAt });
    await pacer.evaluation.evaluate({ asOf: new Date(evaluatedAt.getTime() + 60_000) });
    const detail = async (at: string) =>
      targetDetailSchema.parse((await app.inject({ url: `/v1/targets/vneid-accounts-40m?at=${at}` })).json());
    expect((await detail('2023-07-01')).status_history.map((c) => [c.as_of, c.from, c.to])).toEqual([
      ['2023-06-30T17:00:59.999Z', 'off_track', 'missed'],
      [deadline, null, 'off_track'],
    ]);
    expect((await detail('2023-06-30')).status_history.map((c) => c.to)).toEqual(['off_track']);
    expect((await detail('2023-06-01')).status_history).toEqual([]);
  });

  it(
    'renders the directive page: every target with its status text, ' + 'in UTF-8, under 300 KB with its assets',
    async () => {
      const response = await app.inject({ url: '/?at=2023-06-30' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      const page = response.body;
      expect(page).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
      const api = await list('?at=2023-06-30');
      const rows = [
        ...page.matchAll(
          new RegExp(
            '<tr data-target="([^"]+)" data-status="([^"]+)">\\n' +
              '<td><span class="badge s-\\2" data-status="\\2">([^<]+)<\\/span>',
            'g',
          ),
        ),
      ].map((m) => [m[1], m[2], m[3]]);
      expect(rows).toEqual(
        api.targets.map((t) => [
          t.target,
          t.status,
          {
            missed: 'Missed',
            off_track: 'Off track',
            at_risk: 'At risk',
            no_data: 'No data',
            on_track: 'On track',
            achieved: 'Achieved',
          }[t.status],
        ]),
      );
      expect(page).toContain(
        `<data class="projected" ` +
          `value="${api.targets.find((t) => t.target === 'vneid-accounts-40m')!.projected}">30,777,778</data>`,
      );
      // The date picker shows the day asked for; links keep it.
      expect(page).toContain('<input type="date" name="at" value="2023-06-30" required>');
      expect(page).toContain('href="/targets/vneid-accounts-40m?at=2023-06-30"');

      const filtered = await app.inject({ url: '/?at=2023-06-30&status=off_track' });
      expect([...filtered.body.matchAll(/<tr data-target="([^"]+)"/g)].map((m) => m[1])).toEqual([
        'vneid-accounts-40m',
      ]);
      expect(filtered.body).toContain('<input type="checkbox" name="status" value="off_track" checked>');

      const weight = await pageWeight(app, '/');
      expect(weight.assets).toEqual([expect.stringMatching(/^\/assets\/scorecard\.css\?v=[0-9a-f]{12}$/)]);
      expect(weight.total).toBeLessThan(300 * 1024);
    },
  );

  it(
    'renders the target page with its figures, the chart data, ' +
      'the Vietnamese region names and uPlot from this server',
    async () => {
      const response = await app.inject({ url: '/targets/vneid-accounts-40m?at=2023-06-30' });
      expect(response.statusCode).toBe(200);
      const page = response.body;
      const api = targetDetailSchema.parse(
        (await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-06-30' })).json(),
      );
      expect(page).toContain(
        `<data id="projected" value="${api.target.projected}">` +
          `${formatValue(api.target.projected!, 'cumulative')}</data>`,
      );
      expect(page).toContain('<span class="badge s-off_track" data-status="off_track">Off track</span>');
      expect(page).toContain(
        `<p class="why" id="explanation" data-reason="forecast_short">${api.target.explanation}</p>`,
      );
      expect(page).toContain('<li data-region="79"><span lang="vi">Thành phố Hồ Chí Minh</span>');
      const chart = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(page)![1]!);
      expect(chart).toMatchObject({
        target: 40_000_000,
        deadline: Date.parse(deadline) / 1000,
        observations: [
          [Date.parse(endOf('2022-10-20')) / 1000, 11_100_000],
          [Date.parse(endOf('2022-11-07')) / 1000, 12_500_000],
        ],
      });
      expect(chart.forecast[1]).toEqual([Date.parse(deadline) / 1000, api.target.projected]);
      // Readers without JavaScript get the chart in words.
      expect(page).toContain('Forecast: 30,777,778 at the deadline, reaching the target on 27 Oct 2023.');

      const weight = await pageWeight(app, '/targets/vneid-accounts-40m?at=2023-06-30');
      expect(weight.assets.map((a) => a.split('?')[0])).toEqual([
        '/assets/scorecard.css',
        '/assets/uplot.min.css',
        '/assets/uplot.min.js',
        '/assets/target-chart.js',
      ]);
      expect(weight.total).toBeLessThan(300 * 1024);
    },
  );

  it('speaks Vietnamese when asked by ?lang= or Accept-Language, and keeps each language’s page apart', async () => {
    const api = targetDetailSchema.parse(
      (await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-06-30&lang=vi' })).json(),
    );
    expect(api.lang).toBe('vi');
    expect(api.as_of_day).toBe('2023-06-30');
    expect(api.target.explanation).toBe(
      'Theo tốc độ 77.778 mỗi ngày, dự báo đạt 30.777.778/40.000.000 vào 30/06/2023 (68,1%): ' +
        'chưa đạt chỉ tiêu, vượt quá biên độ cho phép 10,0%.',
    );
    // The catalog's Vietnamese: title, owner, the clause, the directive.
    expect(api.target).toMatchObject({
      title: 'Cấp 40 triệu tài khoản định danh điện tử VNeID cho công dân',
      owner: 'Bộ Công an',
      source: 'Mục 3',
      indicator_name: 'Số tài khoản định danh điện tử VNeID đã cấp',
      unit: 'tài khoản',
    });
    expect(api.directive).toMatchObject({
      title: 'Chỉ thị 05/CT-TTg (2023) về Đề án 06',
      issuer: 'Thủ tướng Chính phủ',
    });
    // Machine fields are the same in every language.
    const english = targetDetailSchema.parse(
      (await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-06-30' })).json(),
    );
    expect(english.target.explanation).toMatch(/^At 77,778 a day/);
    expect(english.target.owner).toBe('Ministry of Public Security');
    const people = { explanation: '', title: '', owner: '', source: '', indicator_name: '', unit: '' };
    expect({ ...api.target, ...people }).toMatchObject({ ...english.target, ...people });
    // An owner is found by its name in either language.
    const byOwner = targetListSchema.parse(
      (await app.inject({ url: '/v1/targets?at=2023-06-30&lang=vi&owner=Ministry%20of%20Home%20Affairs' })).json(),
    );
    expect(byOwner.targets.map((t) => t.owner)).toEqual(['Bộ Nội vụ', 'Bộ Nội vụ']);
    expect(byOwner.owners).toContain('Bộ Thông tin và Truyền thông');

    const byHeader = await app.inject({ url: '/', headers: { 'accept-language': 'vi-VN,vi;q=0.9,en;q=0.5' } });
    expect(byHeader.headers.vary).toContain('accept-language');
    expect(byHeader.body).toContain('<html lang="vi">');
    expect(byHeader.body).toContain('>Chậm tiến độ</span>');
    // The page of "now" is cached: the next reader in English must not get the Vietnamese one.
    const inEnglish = await app.inject({ url: '/', headers: { 'accept-language': 'en-GB' } });
    expect(inEnglish.body).toContain('<html lang="en">');
    expect(inEnglish.body).not.toContain('Chậm tiến độ');
    const byQuery = await app.inject({ url: '/?lang=vi', headers: { 'accept-language': 'en' } });
    expect(byQuery.body).toContain('<html lang="vi">');
    expect(byQuery.body).toContain('href="/?lang=en"');
  });

  it('answers an unknown target or a bad date with an error page and the API’s status', async () => {
    const missing = await app.inject({ url: '/targets/no-such-target' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('no target &quot;no-such-target&quot;');
    const bad = await app.inject({ url: '/?at=30%2F06%2F2023' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('at: expected YYYY-MM-DD or an ISO date-time, got &quot;30/06/2023&quot;');
  });

  it('serves the assets from the package, versioned, cacheable and gzipped', async () => {
    const page = (await app.inject({ url: '/targets/vneid-accounts-40m' })).body;
    const url = /src="(\/assets\/uplot\.min\.js\?v=[0-9a-f]+)"/.exec(page)![1]!;
    const plain = await app.inject({ url });
    expect(plain.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(plain.body).toContain('https://github.com/leeoniya/uPlot');
    const gzipped = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    const again = await app.inject({ url, headers: { 'if-none-match': plain.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ url: '/assets/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/secrets.txt' })).statusCode).toBe(404);
  });

  it('lists each observation’s revisions, oldest first', async () => {
    // 2022-11-07 in Asia/Ho_Chi_Minh ends at 2022-11-07T16:59:59.999Z.
    const at = new Date('2022-11-07T16:59:59.999Z');
    for (const value of [12_600_000, 12_700_000]) {
      const records = [
        {
          line: 1,
          indicator: 'vneid_accounts_issued',
          region: 'VN',
          observed_at: '2022-11-07',
          value,
          note: 'revised',
        },
      ];
      await pacer.ingestor.ingest({ source: 'cli', mode: 'atomic', records });
    }
    const d = targetDetailSchema.parse(
      (await app.inject({ url: '/v1/targets/vneid-accounts-40m?at=2023-06-30' })).json(),
    );
    const revised = d.observations.find((o) => o.observed_at === at.toISOString())!;
    expect(revised.value).toBe(12_700_000);
    expect(revised.revisions.map((r) => [r.old_value, r.new_value])).toEqual([
      [12_500_000, 12_600_000],
      [12_600_000, 12_700_000],
    ]);
    const page = (await app.inject({ url: '/targets/vneid-accounts-40m?at=2023-06-30' })).body;
    expect(page).toContain('<li>12,500,000 → 12,600,000 on');
    expect(Date.parse(revised.revisions[0]!.revised_at)).toBeGreaterThan(Date.now() - DAY);
  });
});
