import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EvaluationSnapshot } from '../../src/evaluation/evaluation-service.js';
import type { TargetResult } from '../../src/evaluation/evaluation-store.js';
import { buildHttpServer } from '../../src/http/http-server.js';
import { createLogger } from '../../src/logging/logger.js';
import { escapeLabelValue } from '../../src/metrics/exposition-writer.js';
import { KpiExposition, renderKpiExposition } from '../../src/metrics/kpi-exposition.js';
import { targetFamilies } from '../../src/metrics/kpi-families.js';
import { metricsRoutes } from '../../src/metrics/metrics-routes.js';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';
import { which } from '../support/binaries.js';
import { seededRandom } from '../support/seeded-random.js';
import { servicesRequired } from '../support/services.js';
import { kpiMetrics, pacerMetrics } from '../../src/conventions.js';

const hostileOwner = 'Bộ Công an "C06"\\ Cục Cảnh sát\nQLHC';

function result(id: string, overrides: Partial<TargetResult> = {}): TargetResult {
  return {
    target: {
      id,
      title: `Mục tiêu "${id}"\nline two`,
      directiveId: 'ct-05-2023',
      owner: hostileOwner,
      indicatorId: 'vneid_accounts_issued',
      regionId: 1,
      regionCode: 'VN',
      baselineValue: 11_100_000,
      baselineAt: Date.UTC(2022, 9, 19, 17),
      targetValue: 40_000_000,
      dueDate: '2023-06-30',
      deadline: Date.UTC(2023, 5, 30, 17),
      direction: 'at_least',
      tolerance: null,
      minCoverage: null,
      unlikelyBelow: null,
      milestones: [],
      timezone: 'Asia/Ho_Chi_Minh',
      translations: {},
    },
    status: 'off_track',
    achievedLate: false,
    achievedAt: null,
    current: 12_500_000,
    currentAt: Date.UTC(2022, 10, 6, 17),
    currentSource: 'direct',
    expected: 40_000_000,
    progress: 0.0484,
    expectedProgress: 1,
    projected: 30_855_555.6,
    forecastNow: 12_900_000,
    projectedCompletionAt: Date.UTC(2023, 9, 26),
    coverage: 1,
    reason: 'forecast_short',
    explanations: {
      en: 'At 49,000 a day the forecast reaches 30,855,556 of 40,000,000 by 30 Jun 2023 (68.5%).',
      vi: 'Theo tốc độ 49.000 mỗi ngày, dự báo đạt 30.855.556/40.000.000 vào 30/06/2023 (68,5%).',
    },
    valueAtDeadline: null,
    partial: false,
    parts: null,
    missedMilestone: null,
    attainmentProbability: 0.12,
    projectedLow: 27_000_000,
    projectedHigh: 34_700_000,
    ...overrides,
  };
}

function snapshot(results: TargetResult[], indicatorValues = 2): EvaluationSnapshot {
  return {
    runId: 1,
    asOf: new Date('2023-06-30T17:00:00Z'),
    results,
    indicators: [
      {
        id: 'vneid_accounts_issued',
        name: 'VNeID accounts',
        unit: 'accounts',
        kind: 'cumulative',
        rollup: 'sum',
        updateIntervalSeconds: 7_776_000,
        monotone: 'increasing',
      },
    ],
    indicatorValues: Array.from({ length: indicatorValues }, (_, i) => ({
      indicatorId: 'vneid_accounts_issued',
      regionId: i + 2,
      regionCode: String(i + 1).padStart(2, '0'),
      regionName: i === 0 ? 'Thành phố Hồ Chí Minh' : `Tỉnh "${i}"`,
      level: 'province',
      value: 1000 + i,
      at: Date.UTC(2023, 2, 1),
      coverage: 1,
    })),
  };
}

describe('the KPI exposition', () => {
  it('escapes quotes, backslashes and newlines in label values and keeps Vietnamese text', () => {
    expect(escapeLabelValue(hostileOwner)).toBe('Bộ Công an \\"C06\\"\\\\ Cục Cảnh sát\\nQLHC');
    const { text } = renderKpiExposition(snapshot([result('t1')]), 1000);
    expect(text).toContain('owner="Bộ Công an \\"C06\\"\\\\ Cục Cảnh sát\\nQLHC"');
    expect(text).toContain('region_name="Thành phố Hồ Chí Minh"');
    expect(text.split('\n').every((line) => !line.includes('line two') || line.includes('\\nline two'))).toBe(true);
  });

  it('writes HELP and TYPE for every family, one status series per state, and no timestamps', () => {
    const { text } = renderKpiExposition(
      snapshot([result('t1'), result('t2', { status: 'at_risk', projected: null, projectedCompletionAt: null })]),
      1000,
    );
    const families = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(families).toEqual([
      kpiMetrics.targetInfo,
      kpiMetrics.targetValue,
      kpiMetrics.targetBaselineValue,
      kpiMetrics.targetCurrentValue,
      kpiMetrics.targetExpectedValue,
      kpiMetrics.targetProgressRatio,
      kpiMetrics.targetExpectedProgressRatio,
      kpiMetrics.targetProjectedValue,
      kpiMetrics.targetProjectedCompletionTimestampSeconds,
      kpiMetrics.targetDeadlineTimestampSeconds,
      kpiMetrics.targetCoverageRatio,
      kpiMetrics.targetAttainmentProbability,
      kpiMetrics.targetProjectedLowValue,
      kpiMetrics.targetProjectedHighValue,
      kpiMetrics.targetUnlikelyThreshold,
      kpiMetrics.targetStatus,
      kpiMetrics.targetStatusReason,
      kpiMetrics.indicatorValue,
      kpiMetrics.indicatorObservedTimestampSeconds,
      kpiMetrics.evaluationTimestampSeconds,
    ]);
    for (const f of families) expect(text).toContain(`# HELP ${f} `);
    const status = text.split('\n').filter((l) => l.startsWith(`${kpiMetrics.targetStatus}{target="t2"`));
    expect(status).toHaveLength(6);
    expect(status.filter((l) => l.endsWith(' 1'))).toEqual([expect.stringContaining('status="at_risk"')]);
    // One reason series per target, the reason as a label, for alerts to join.
    const reasons = text.split('\n').filter((l) => l.startsWith(`${kpiMetrics.targetStatusReason}{`));
    expect(reasons).toEqual([
      expect.stringMatching(/target="t1",.*,reason="forecast_short"\} 1$/),
      expect.stringMatching(/target="t2",.*,reason="forecast_short"\} 1$/),
    ]);
    expect(text).toContain(',kind="cumulative",');
    // The chance to meet, its band, and the threshold the alert compares it with (the default, or the catalog's).
    expect(text).toMatch(new RegExp(`^${kpiMetrics.targetAttainmentProbability}\\{target="t1",.*\\} 0.12$`, 'm'));
    expect(text).toMatch(new RegExp(`^${kpiMetrics.targetProjectedLowValue}\\{target="t1",.*\\} 27000000$`, 'm'));
    expect(text).toMatch(new RegExp(`^${kpiMetrics.targetUnlikelyThreshold}\\{target="t1",.*\\} 0.2$`, 'm'));
    // A missing projection is left out, not exported as NaN.
    expect(text).not.toContain(`${kpiMetrics.targetProjectedValue}{target="t2"`);
    expect(text).toContain(
      `${kpiMetrics.targetDeadlineTimestampSeconds}{target="t1",indicator="vneid_accounts_issued",region="VN",` +
        `directive="ct-05-2023",owner="Bộ Công an \\"C06\\"\\\\ Cục Cảnh sát\\nQLHC"} 1688144400`,
    );
    expect(text).toContain(`${kpiMetrics.evaluationTimestampSeconds} 1688144400\n`);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(/^[a-z_]+(\{.*\})? -?[\d.e+]+$/);
  });

  it('caps the number of series, dropping indicator breakdowns before targets, and counts the drop', async () => {
    const metrics = createPipelineMetrics({ defaultMetrics: false });
    const exposition = new KpiExposition({ maxSeries: 24, metrics });
    await exposition.update(snapshot([result('t1')], 50));
    const text = Buffer.concat(exposition.current.text).toString();
    expect(text.match(/^kpi_target_status\{/gm)).toHaveLength(6);
    const series = text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('kpi_evaluation_timestamp'));
    expect(series).toHaveLength(24);
    const pipeline = await metrics.registry.metrics();
    expect(pipeline).toContain(`${pacerMetrics.kpiSeries} 24`);
    expect(pipeline).toContain(`${pacerMetrics.kpiSeriesDropped} ${1 + 14 + 6 + 1 + 2 * 50 - 24}`);
  });
});

describe('the segmented exposition', () => {
  const statuses = ['achieved', 'on_track', 'at_risk', 'off_track', 'missed', 'no_data'] as const;

  it('equals the whole rendering, text and gzip, after every evaluation of a random sequence', async () => {
    const random = seededRandom(20261201);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let results = Array.from({ length: 620 }, (_, i) => result(`t${String(i).padStart(4, '0')}`));
    let base = snapshot(results, 40);
    const exposition = new KpiExposition({ maxSeries: 1_000_000 });
    for (let step = 0; step < 12; step++) {
      // A few targets change, now and then a target comes or goes, and some regions get new values.
      results = results.map((r) =>
        random() < 0.01
          ? { ...r, status: pick(statuses), current: random() < 0.2 ? null : Math.round(random() * 1e7) }
          : r,
      );
      if (step % 4 === 3) results = results.filter(() => random() > 0.005);
      if (step % 5 === 4) results = [...results, result(`new-${step}`)];
      const indicatorValues = base.indicatorValues.map((v) =>
        random() < 0.1 ? { ...v, value: v.value + 1, at: v.at + 86_400_000 } : v,
      );
      const snap: EvaluationSnapshot = { ...base, runId: step + 2, results, indicatorValues };
      await exposition.update(snap);
      const text = Buffer.concat(exposition.current.text).toString();
      expect(text).toBe(renderKpiExposition(snap, 1_000_000).text);
      expect(gunzipSync(Buffer.concat(exposition.current.gzip)).toString()).toBe(text);
      base = snap;
    }
  });

  it('renders again only the slice of targets that changed, and keeps the others as they were', async () => {
    const results = Array.from({ length: 600 }, (_, i) => result(`t${String(i).padStart(4, '0')}`));
    const exposition = new KpiExposition({ maxSeries: 1_000_000 });
    await exposition.update(snapshot(results, 3));
    const before = [...exposition.current.text];
    const changed = results.map((r, i) => (i === 10 ? { ...r, current: 13_000_000 } : r));
    await exposition.update({ ...snapshot(changed, 3), runId: 2 });
    const after = exposition.current.text;
    expect(after).toHaveLength(before.length);
    const renewed = after.filter((segment, i) => segment !== before[i]);
    // The first slice of targets (of 250) in each family, and the timestamp; not the other two slices.
    expect(renewed).toHaveLength(targetFamilies.length + 1);
    expect(Buffer.concat(renewed).toString()).toContain('target="t0010"');
  });
});

describe('GET /metrics', () => {
  async function server() {
    const metrics = createPipelineMetrics();
    const kpi = new KpiExposition({ maxSeries: 10_000, metrics });
    await kpi.update(
      snapshot(
        [result('vneid-accounts-40m'), result('villages', { status: 'no_data', current: null, progress: null })],
        3,
      ),
    );
    return buildHttpServer({
      logger: createLogger({ level: 'silent', pretty: false }),
      readiness: async () => ({ ready: true, checks: {} }),
      metrics,
      routes: [metricsRoutes(metrics, kpi)],
    });
  }

  it('serves the KPI families followed by the pipeline metrics', async () => {
    const app = await server();
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain(`${kpiMetrics.targetStatus}{target="vneid-accounts-40m"`);
    expect(response.body).toContain('process_cpu_user_seconds_total');
  });

  it('honours Accept-Encoding: gzip with the same content', async () => {
    const app = await server();
    const plain = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const zipped = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(zipped.rawPayload).toString();
    const kpiPart = (s: string) => s.split('\n').filter((l) => l.startsWith('kpi_') || l.startsWith('# HELP kpi_'));
    expect(kpiPart(text)).toEqual(kpiPart(plain));
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  const promtool = which('promtool');
  describe.skipIf(!promtool && !servicesRequired)('with promtool (Debian package prometheus)', () => {
    it('passes `promtool check metrics` with hostile label values', async () => {
      expect(promtool, 'promtool not found: apt-get install prometheus').toBeDefined();
      const app = await server();
      const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const check = spawnSync(promtool!, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    });
  });
});
