import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import type { TargetReason, TargetStatus } from '../../src/domain/evaluation/target-evaluation.js';
import { parseAsOf } from '../../src/evaluation/as-of.js';
import { EvaluationService } from '../../src/evaluation/evaluation-service.js';
import { createLogger } from '../../src/logging/logger.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { EvaluationRepository } from '../../src/evaluation/evaluation-repository.js';
import { seedObservations } from '../support/seed-observations.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

/**
 * Pacer's evaluation rules, one case each, through the whole engine (catalog, observations in the
 * database, set-based SQL, rollups, the pure semantics) on PostgreSQL and PGlite. Days count from
 * t0 = 2023-01-01 00:00 in Ho Chi Minh City. The baseline is dated 2022-12-31, so it stands at the
 * end of that day, t0 − 1 ms; the deadline D of "December 2023" is the end of 31 December 2023,
 * t0 + 365 days − 1 ms. A bare date in `obs` is a value reported for the end of that day.
 */
const DAY = 86_400_000;
const t0 = Date.UTC(2022, 11, 31, 17);
const D = t0 + 365 * DAY - 1;
const day = (d: number) => new Date(t0 + d * DAY);
/** The end of a calendar day in Ho Chi Minh City, as `--at YYYY-MM-DD` means it. */
const endOf = (date: string) => parseAsOf(date, 'Asia/Ho_Chi_Minh');

interface Case {
  name: string;
  kind?: 'cumulative' | 'level' | 'ratio' | 'milestone';
  rollup?: 'sum' | 'mean' | 'min' | 'max' | 'none';
  interval?: string;
  target?: Record<string, unknown>;
  obs: [region: string, at: Date | string, value: number][];
  asOf: Date;
  expect: Partial<{
    status: TargetStatus;
    reason: TargetReason;
    /** Words the explanation must contain. */
    explains: string[];
    partial: boolean;
    valueAtDeadline: number | null;
    /** The projection is at least this (a cumulative forecast never goes below the latest value). */
    projectedAtLeast: number;
    achievedLate: boolean;
    current: number | null;
    expected: number;
    progress: number | null;
    expectedProgress: number;
    projected: number | null;
    completion: Date | null;
    coverage: number | null;
    source: string | null;
    /** The chance to meet the target. */
    attainment: number | null;
    /** The 80% band of the value at the deadline. */
    band: [low: number, high: number] | null;
  }>;
}

const cases: Case[] = [
  {
    name: 'straight pace, one point in the window: the line from the baseline to it',
    obs: [['P1', day(140), 50]],
    asOf: day(146),
    expect: {
      status: 'on_track',
      reason: 'forecast_meets',
      explains: ['At 0.357 a day the forecast reaches 130 by 31 Dec 2023, meeting the target 100.'],
      current: 50,
      expected: 40,
      progress: 0.5,
      expectedProgress: 0.4,
      projected: (50 / 140) * 365,
      completion: day(280),
      coverage: 1,
      source: 'direct',
    },
  },
  {
    name: 'two points: least squares is the line through them',
    obs: [
      ['P1', day(100), 30],
      ['P1', day(140), 50],
    ],
    asOf: day(146),
    expect: { status: 'on_track', projected: 162.5, completion: day(240), attainment: null, band: null },
  },
  {
    name: 'many points: least squares slope 0.5 a day through (120, 40)',
    obs: [
      ['P1', day(100), 30],
      ['P1', day(110), 36],
      ['P1', day(120), 38],
      ['P1', day(130), 46],
      ['P1', day(140), 50],
    ],
    asOf: day(146),
    expect: { status: 'on_track', current: 50, projected: 162.5, completion: day(240) },
  },
  {
    name: 'points outside the 180-day window do not enter the fit',
    obs: [
      ['P1', day(-300), 90],
      ['P1', day(100), 30],
      ['P1', day(140), 50],
    ],
    asOf: day(146),
    target: { baseline: { value: 0, date: '2022-01-01' } },
    expect: { projected: 162.5 },
  },
  {
    name: 'a level moving away from the target has no completion date',
    kind: 'level',
    obs: [
      ['P1', day(100), 60],
      ['P1', day(140), 50],
    ],
    asOf: day(146),
    expect: { status: 'off_track', reason: 'forecast_short', projected: -6.25, completion: null },
  },
  {
    name: 'a cumulative count that fell is forecast flat from its latest value, never lower',
    obs: [
      ['P1', day(100), 60],
      ['P1', day(140), 50],
    ],
    asOf: day(146),
    expect: { status: 'off_track', projected: 50, completion: null, explains: ['At 0 a day', '(50.0%)'] },
  },
  {
    name: 'a cumulative forecast is drawn from the latest value with the fitted pace',
    obs: [
      ['P1', day(100), 10],
      ['P1', day(139), 20],
      ['P1', day(140), 60],
    ],
    asOf: day(146),
    expect: { projectedAtLeast: 60, current: 60 },
  },
  {
    // Residuals −4, 12, −12, 4 around 50 + (d − 315), which reaches 100 at the deadline: s² = 320 / 2,
    // se = s · sqrt(1 + 1/4 + 50² / 500) = sqrt(1000), and t(0.9, 2) = 1.885618.
    name: 'a level projected exactly at the target has an even chance, within the prediction band of its fit',
    kind: 'level',
    obs: [
      ['P1', day(300), 31],
      ['P1', day(310), 57],
      ['P1', day(320), 43],
      ['P1', day(330), 69],
    ],
    asOf: day(335),
    expect: {
      projected: 100,
      attainment: 0.5,
      band: [100 - 1.885618 * Math.sqrt(1000), 100 + 1.885618 * Math.sqrt(1000)],
    },
  },
  {
    name: 'a completion date already behind the as-of date is not given',
    kind: 'level',
    obs: [
      ['P1', day(100), 0],
      ['P1', day(120), 200],
      ['P1', day(140), 40],
    ],
    asOf: day(146),
    expect: { completion: null, current: 40 },
  },
  {
    name: 'a projection short by less than the tolerance is at_risk',
    obs: [
      ['P1', day(100), 26],
      ['P1', day(140), 36],
    ],
    asOf: day(146),
    expect: { status: 'at_risk', reason: 'forecast_short', projected: 92.25, explains: ['within the 10.0% tolerance'] },
  },
  {
    name: 'a projection short by more than the tolerance is off_track',
    obs: [
      ['P1', day(100), 20],
      ['P1', day(140), 28],
    ],
    asOf: day(146),
    expect: { status: 'off_track', projected: 73 },
  },
  {
    name: 'a custom tolerance widens the at_risk band',
    obs: [
      ['P1', day(100), 20],
      ['P1', day(140), 28],
    ],
    asOf: day(146),
    target: { tolerance: 0.3 },
    expect: { status: 'at_risk' },
  },
  {
    name: 'a value meeting the target before the deadline is achieved',
    obs: [['P1', day(200), 100]],
    asOf: day(250),
    expect: {
      status: 'achieved',
      reason: 'target_met',
      current: 100,
      progress: 1,
      completion: null,
      attainment: 1,
    },
  },
  {
    name: 'a value reported for the due date itself is on time',
    obs: [['P1', '2023-12-31', 100]],
    asOf: day(370),
    expect: { status: 'achieved', explains: ['Met on 31 Dec 2023'] },
  },
  {
    name: 'a value reported for the day after the due date is late',
    obs: [
      ['P1', '2023-12-20', 90],
      ['P1', '2024-01-01', 100],
    ],
    asOf: day(370),
    expect: { status: 'missed', reason: 'deadline_passed', achievedLate: true, valueAtDeadline: 90 },
  },
  {
    name: 'as of the due date, a value reported for the next day is not known yet',
    obs: [
      ['P1', '2023-12-20', 90],
      ['P1', '2024-01-01', 100],
    ],
    asOf: endOf('2023-12-31'),
    expect: { status: 'at_risk', current: 90, valueAtDeadline: null },
  },
  {
    name: 'at the last instant of the due date the target is not yet missed',
    obs: [['P1', day(300), 60]],
    asOf: new Date(D),
    expect: { status: 'off_track' },
  },
  {
    name: 'one minute after the deadline it is missed',
    obs: [['P1', day(300), 80]],
    asOf: new Date(D + 60_000),
    expect: { status: 'missed', achievedLate: false },
  },
  {
    name: 'met after the deadline: missed, achieved late',
    obs: [
      ['P1', day(300), 80],
      ['P1', day(375), 100],
    ],
    asOf: day(385),
    expect: {
      status: 'missed',
      achievedLate: true,
      current: 100,
      projected: 80,
      valueAtDeadline: 80,
      explains: ['The deadline of 31 Dec 2023 passed at 80 of 100 (80.0%). The target was met later.'],
    },
  },
  {
    name: 'after the deadline the projection is the value at the deadline, whatever the viewing date',
    obs: [
      ['P1', day(300), 80],
      ['P1', day(375), 90],
    ],
    asOf: day(900),
    expect: { status: 'missed', projected: 80, valueAtDeadline: 80, completion: null, attainment: 0, band: [80, 80] },
  },
  {
    name: 'no observation at all is no_data',
    obs: [],
    asOf: day(146),
    expect: {
      status: 'no_data',
      reason: 'no_report',
      current: null,
      progress: null,
      projected: null,
      coverage: null,
    },
  },
  {
    name: 'a value older than three update intervals is no_data',
    interval: '30d',
    obs: [['P1', day(10), 30]],
    asOf: day(101),
    expect: { status: 'no_data', reason: 'stale', current: 30, explains: ['older than 3 update intervals (90 days)'] },
  },
  {
    name: 'observations after the evaluation instant are not known yet',
    obs: [
      ['P1', day(140), 50],
      ['P1', day(200), 100],
    ],
    asOf: day(146),
    expect: { status: 'on_track', current: 50 },
  },
  {
    name: 'at_most: falling counts, progress toward zero',
    kind: 'level',
    target: { baseline: { value: 266, date: '2023-01-01' }, target: 0, direction: 'at_most' },
    obs: [
      ['P1', day(100), 200],
      ['P1', day(140), 180],
    ],
    asOf: day(146),
    expect: { status: 'off_track', progress: 86 / 266, projected: 67.5, completion: day(500) },
  },
  {
    name: 'at_most: reaching the target is achieved',
    kind: 'level',
    target: { baseline: { value: 266, date: '2023-01-01' }, target: 0, direction: 'at_most' },
    obs: [['P1', day(300), 0]],
    asOf: day(310),
    expect: { status: 'achieved' },
  },
  {
    name: 'target milestones make the expected pace piecewise',
    target: { milestones: [{ due: '2023-04', value: 60 }] },
    obs: [['P1', day(55), 30]],
    asOf: day(60),
    expect: { expected: 30, expectedProgress: 0.3 },
  },
  {
    name: 'a passed milestone missed beyond the tolerance makes the target at_risk though the forecast meets it',
    target: { milestones: [{ due: '2023-06', value: 60 }] },
    obs: [
      ['P1', day(150), 20],
      ['P1', day(170), 30],
    ],
    asOf: day(200),
    expect: {
      status: 'at_risk',
      reason: 'milestone_missed',
      explains: ['The milestone of 30 Jun 2023 was missed: 30 against 60.'],
    },
  },
  {
    name: 'a passed milestone met keeps the target on_track',
    target: { milestones: [{ due: '2023-06', value: 60 }] },
    obs: [
      ['P1', day(150), 55],
      ['P1', day(170), 65],
    ],
    asOf: day(200),
    expect: { status: 'on_track', reason: 'forecast_meets' },
  },
  {
    name: 'milestone task nobody reported on is no_data, never on_track',
    kind: 'milestone',
    target: { baseline: undefined, target: undefined },
    obs: [],
    asOf: day(300),
    expect: { status: 'no_data', reason: 'no_report', projected: null, completion: null },
  },
  {
    name: 'milestone task reported not done: on_track before the last 14 days, with no forecast',
    kind: 'milestone',
    target: { baseline: undefined, target: undefined },
    obs: [['P1', day(290), 0]],
    asOf: day(300),
    expect: { status: 'on_track', reason: 'task_open', projected: null, completion: null, attainment: null },
  },
  {
    name: 'milestone task reported not done: at_risk in the last 14 days',
    kind: 'milestone',
    target: { baseline: undefined, target: undefined },
    obs: [['P1', day(350), 0]],
    asOf: day(355),
    expect: { status: 'at_risk', reason: 'task_due_soon' },
  },
  {
    name: 'milestone task: achieved when done by the deadline',
    kind: 'milestone',
    target: { baseline: undefined, target: undefined },
    obs: [['P1', day(200), 1]],
    asOf: day(380),
    expect: { status: 'achieved' },
  },
  {
    name: 'milestone task: missed after the deadline, achieved late when done then',
    kind: 'milestone',
    target: { baseline: undefined, target: undefined },
    obs: [['P1', day(370), 1]],
    asOf: day(380),
    expect: { status: 'missed', achievedLate: true },
  },
  {
    name: 'rollup by sum with partial coverage: two of three districts report',
    target: { region: 'P2' },
    obs: [
      ['D1', day(140), 10],
      ['D2', day(130), 20],
    ],
    asOf: day(146),
    expect: {
      status: 'no_data',
      reason: 'incomplete_coverage',
      partial: true,
      current: 30,
      coverage: 2 / 3,
      source: 'children',
      explains: ['Only 2 of 3 districts reported (at least 100.0% needed); their partial sum is 30.'],
    },
  },
  {
    name: 'a rollup at or above its min_coverage is judged',
    target: { region: 'P2', min_coverage: 0.6 },
    obs: [
      ['D1', day(140), 30],
      ['D2', day(130), 40],
    ],
    asOf: day(146),
    expect: { status: 'on_track', partial: false, current: 70, coverage: 2 / 3 },
  },
  {
    name: 'rollup by mean',
    rollup: 'mean',
    target: { region: 'P2' },
    obs: [
      ['D1', day(140), 10],
      ['D2', day(130), 20],
    ],
    asOf: day(146),
    expect: { current: 15, coverage: 2 / 3 },
  },
  {
    name: "a region's own value wins over its children",
    target: { region: 'P2' },
    obs: [
      ['P2', day(120), 5],
      ['D1', day(140), 10],
    ],
    asOf: day(146),
    expect: { current: 5, source: 'direct' },
  },
  {
    name: "rollup none: children do not make a parent's value",
    rollup: 'none',
    target: { region: 'P2' },
    obs: [['D1', day(140), 10]],
    asOf: day(146),
    expect: { status: 'no_data', current: null },
  },
  {
    name: "an old province's 2024 value counts toward the new province it merged into",
    target: { region: 'N1', baseline: { value: 0, date: '2024-01-01' }, due: '2026-12' },
    obs: [['O1', new Date('2024-06-01T00:00:00Z'), 40]],
    asOf: new Date('2025-08-01T00:00:00Z'),
    expect: { current: 40, coverage: 1 / 2, source: 'predecessors' },
  },
  {
    name: 'as of the day before a merger, rollups use the units of that day',
    target: { region: 'TT', baseline: { value: 0, date: '2024-01-01' }, due: '2026-12' },
    obs: [['O1', '2025-06-01', 40]],
    asOf: endOf('2025-06-30'),
    expect: { current: 40, coverage: 1 / 4, explains: ['1 of 4 provinces reported'] },
  },
  {
    name: 'and through the new province toward the nation',
    target: { region: 'TT', baseline: { value: 0, date: '2024-01-01' }, due: '2026-12' },
    obs: [
      ['O1', new Date('2024-06-01T00:00:00Z'), 40],
      ['P1', new Date('2025-07-15T00:00:00Z'), 7],
    ],
    asOf: new Date('2025-08-01T00:00:00Z'),
    expect: { current: 47, coverage: 2 / 3, source: 'children' },
  },
];

const backends = await testBackends();

async function writeCatalog(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'regions'), { recursive: true });
  await writeFile(
    path.join(dir, 'regions', 'tt.yaml'),
    `apiVersion: pacer/v1
kind: RegionSet
id: tt
name: Testland
timezone: Asia/Ho_Chi_Minh
levels: [nation, province, district]
root: { code: TT, name: Testland }
units:
  - { file: provinces.csv, level: province, parent: TT }
  - { file: districts.csv, level: district }
successors:
  - { file: successors.csv, effective: 2025-07-01 }
`,
  );
  await writeFile(
    path.join(dir, 'regions', 'provinces.csv'),
    'code,name,valid_from,valid_to\nP1,Province One,,\nP2,Province Two,,\n' +
      'O1,Old One,,2025-06-30\nO2,Old Two,,2025-06-30\n' +
      'N1,New One,2025-07-01,\n',
  );
  await writeFile(
    path.join(dir, 'regions', 'districts.csv'),
    'code,name,parent\nD1,District One,P2\nD2,District Two,P2\nD3,District Three,P2\n',
  );
  await writeFile(path.join(dir, 'regions', 'successors.csv'), 'from,to,kind\nO1,N1,full\nO2,N1,full\n');
  const indicators = cases.map(
    (c, i) =>
      `  - { id: c${i}, name: "case ${i}", unit: things, kind: ${c.kind ?? 'cumulative'}, ` +
      `update_interval: ${c.interval ?? '90d'}${c.rollup ? `, rollup: ${c.rollup}` : ''} }`,
  );
  const targets = cases.map((c, i) => {
    const t: Record<string, unknown> = {
      id: `case-${i}`,
      title: c.name,
      indicator: `c${i}`,
      region: 'P1',
      owner: 'Test owner',
      source: 'Test',
      baseline: { value: 0, date: '2022-12-31' },
      target: 100,
      due: '2023-12',
      ...c.target,
    };
    for (const k of Object.keys(t)) if (t[k] === undefined) delete t[k];
    return `  - ${JSON.stringify(t)}`;
  });
  await writeFile(
    path.join(dir, 'catalog.yaml'),
    `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n` +
      `---\napiVersion: pacer/v1\nkind: Directive\nid: test\ntitle: Test directive\n` +
      `issuer: Test\nissued: 2023-01-01\ntimezone: Asia/Ho_Chi_Minh\ntargets:\n${targets.join('\n')}\n`,
  );
}

describe.each(backends)('evaluation semantics on %s', (backend) => {
  let t: TestDatabase;
  let service: EvaluationService;
  let dir: string;

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'semantics');
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-semantics-'));
    await writeCatalog(dir);
    await applyCatalog(new CatalogRepository(t.database.db), dir);
    const records = cases.flatMap((c, i) =>
      c.obs.map(([region, at, value]) => ({
        indicator: `c${i}`,
        region,
        observed_at: typeof at === 'string' ? at : at.toISOString(),
        value,
      })),
    );
    expect(await seedObservations(t.database, records)).toMatchObject({
      received: records.length,
      inserted: records.length,
      rejected: 0,
    });
    service = new EvaluationService({
      store: new EvaluationRepository(t.database.db),
      logger: createLogger({ level: 'silent', pretty: false }),
    });
  });
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = cases[i]!;
    const snapshot = await service.compute(c.asOf);
    const r = snapshot.results.find((x) => x.target.id === `case-${i}`)!;
    const e = c.expect;
    if (e.status !== undefined) expect(r.status).toBe(e.status);
    if (e.achievedLate !== undefined) expect(r.achievedLate).toBe(e.achievedLate);
    if (e.source !== undefined) expect(r.currentSource).toBe(e.source);
    if (e.reason !== undefined) expect(r.reason).toBe(e.reason);
    if (e.partial !== undefined) expect(r.partial).toBe(e.partial);
    for (const words of e.explains ?? []) expect(r.explanations.en).toContain(words);
    expect(r.explanations.en, 'every status explains itself').not.toBe('');
    if (e.projectedAtLeast !== undefined) expect(r.projected!).toBeGreaterThanOrEqual(e.projectedAtLeast);
    if (e.valueAtDeadline !== undefined) expect(r.valueAtDeadline).toBe(e.valueAtDeadline);
    for (const key of ['current', 'expected', 'progress', 'expectedProgress', 'projected', 'coverage'] as const) {
      const want = e[key];
      if (want === undefined) continue;
      if (want === null) expect(r[key], key).toBeNull();
      else expect(r[key], key).toBeCloseTo(want, 6);
    }
    if (e.attainment !== undefined) {
      if (e.attainment === null) expect(r.attainmentProbability).toBeNull();
      else expect(r.attainmentProbability).toBeCloseTo(e.attainment, 6);
    }
    if (e.band !== undefined) {
      if (e.band === null) expect([r.projectedLow, r.projectedHigh]).toEqual([null, null]);
      else {
        expect(r.projectedLow, 'projectedLow').toBeCloseTo(e.band[0], 4);
        expect(r.projectedHigh, 'projectedHigh').toBeCloseTo(e.band[1], 4);
      }
    }
    if (e.completion !== undefined) {
      if (e.completion === null) expect(r.projectedCompletionAt).toBeNull();
      else expect(Math.abs(r.projectedCompletionAt! - e.completion.getTime())).toBeLessThan(1000);
    }
  });
});
