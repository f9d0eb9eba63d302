import { sql } from 'kysely';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { loadDemoData } from '../../src/demo/load-demo-data.js';
import { RegionIndex } from '../../src/domain/regions/region-registry.js';
import { EvaluationService } from '../../src/evaluation/evaluation-service.js';
import { createLogger } from '../../src/logging/logger.js';
import { demoDataFile } from '../../src/project-root.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { EvaluationRepository } from '../../src/evaluation/evaluation-repository.js';
import { RegionRepository } from '../../src/catalog/region-repository.js';
import { runPacerCli } from '../support/pacer-process.js';
import { seedObservations } from '../support/seed-observations.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';
import { parseAsOf } from '../../src/evaluation/as-of.js';
import { BatchIngestor } from '../../src/observations/batch-ingestor.js';
import { IngestCatalogCache } from '../../src/observations/ingest-catalog-cache.js';
import { IngestRepository } from '../../src/observations/ingest-repository.js';

const DAY = 86_400_000;

/*
 * The 40-million-accounts target by hand, evaluated as of 30 June 2023 (Asia/Ho_Chi_Minh, UTC+7).
 * Every bare date is the end of that day there, 23:59:59.999 (16:59:59.999Z):
 *   baseline b = 11,100,000 as of 2022-10-20 (t0 = 2022-10-20T16:59:59.999Z); target v = 40,000,000;
 *   deadline D = end of 2023-06-30 = 2023-06-30T16:59:59.999Z, so D − t0 = 253 days (day end to day
 *   end); `--at 2023-06-30` is D itself.
 *   Latest national value of vneid_accounts_issued by then: 12,500,000 as of 2022-11-07 (18 days
 *   after t0). The 180-day window before D holds no national point of it (the 2023-03-01 figure
 *   is Ho Chi Minh City's), so the pace is the slope from (t0, b) to that point, and the line is
 *   drawn from that latest value (the indicator is cumulative, so the forecast cannot fall below it):
 *   pace = 1,400,000 / 18 days = 77,777.8 a day;
 *   projected at D = 12,500,000 + 77,777.8 × (253 − 18) = 30,777,777.8;
 *   completion = 2022-11-07 end + (40,000,000 − 12,500,000) / 77,777.8 = + 353.571 days = 27 Oct 2023;
 *   progress = 1,400,000 / 28,900,000 = 0.04844; expected progress at D = 1;
 *   shortfall 9,222,222 > tolerance 10% × 28,900,000 = 2,890,000, so: off_track, forecast_short.
 */
const t0 = Date.UTC(2022, 9, 20, 16, 59, 59, 999);
const handComputed = {
  status: 'off_track',
  current: 12_500_000,
  progress: 1_400_000 / 28_900_000,
  expectedProgress: 1,
  projected: 12_500_000 + (1_400_000 / 18) * (253 - 18),
  completion: t0 + 18 * DAY + (27_500_000 / (1_400_000 / 18)) * DAY,
  deadline: '2023-06-30T16:59:59.999Z',
};

const backends = await testBackends();
const asOf = new Date(handComputed.deadline);

describe.each(backends)('Directive 05 with the Scheme 06 figures on %s', (backend) => {
  let t: TestDatabase;
  let service: EvaluationService;
  let dir: string;

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'directive05');
    // The shipped catalog plus one provincial target for 2025's Ho Chi Minh City (code 79).
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-d05-'));
    await cp('catalog', dir, { recursive: true });
    await writeFile(
      path.join(dir, 'hcmc.yaml'),
      `apiVersion: pacer/v1
kind: TargetSet
directive: ct-05-2023
targets:
  - id: hcmc-chip-id-cards
    title: Chip ID cards issued in Ho Chi Minh City (2025 borders)
    indicator: chip_id_cards_issued
    region: "79"
    owner: Ministry of Public Security
    source: test
    baseline: { value: 0, date: 2024-01-01 }
    target: 1000
    due: December 2026
`,
    );
    await applyCatalog(new CatalogRepository(t.database.db), dir);
    const regions = new RegionRepository(t.database.db);
    let loaded = false;
    const ingestStore = new IngestRepository(t.database);
    const demo = await loadDemoData(
      {
        ingestor: new BatchIngestor({ store: ingestStore, catalog: new IngestCatalogCache(ingestStore) }),
        isLoaded: async () => loaded,
        markLoaded: async () => void (loaded = true),
        timezone: 'Asia/Ho_Chi_Minh',
      },
      demoDataFile,
    );
    expect(demo).toMatchObject({ loaded: true, rows: 32, inserted: 32 });
    // Each figure recorded as of the day it was published (the end of its day), so "as known then" has a history.
    const recorded = await sql<{ n: number; early: number }>`
      select count(*)::int as n, count(*) filter (where recorded_at <> observed_at)::int as early
      from observations`.execute(t.database.db);
    expect(recorded.rows[0]).toEqual({ n: 32, early: 0 });
    // A 2024 value of old province 74 (Binh Duong), which merged into 79 on 2025-07-01.
    const index = new RegionIndex(await regions.loadAll());
    const at = new Date('2024-05-01T00:00:00Z');
    const binhDuong = index.resolve('74', at)!;
    expect(binhDuong.name).toBe('Tỉnh Bình Dương');
    expect(
      await seedObservations(t.database, [
        { indicator: 'chip_id_cards_issued', region: '74', observed_at: at.toISOString(), value: 600 },
      ]),
    ).toMatchObject({ inserted: 1 });
    service = new EvaluationService({
      store: new EvaluationRepository(t.database.db),
      logger: createLogger({ level: 'silent', pretty: false }),
    });
  });
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the 40-million target the status, projection and progress computed by hand', async () => {
    const { results } = await service.compute(asOf);
    const r = results.find((x) => x.target.id === 'vneid-accounts-40m')!;
    expect(r.status).toBe(handComputed.status);
    expect(r.current).toBe(handComputed.current);
    expect(r.progress).toBeCloseTo(handComputed.progress, 10);
    expect(r.expectedProgress).toBeCloseTo(handComputed.expectedProgress, 10);
    expect(r.projected).toBeCloseTo(handComputed.projected, 4);
    expect(Math.abs(r.projectedCompletionAt! - handComputed.completion)).toBeLessThan(1000);
    expect(new Date(r.projectedCompletionAt!).toISOString().slice(0, 10)).toBe('2023-10-27');
    expect(r.reason).toBe('forecast_short');
    expect(r.explanations.en).toBe(
      'At 77,778 a day the forecast reaches 30,777,778 of 40,000,000 by 30 Jun 2023 (68.1%): ' +
        'short beyond the 10.0% tolerance.',
    );
    // The same figures as a ministry's report writes them: dots group thousands, the comma is the decimal mark.
    expect(r.explanations.vi).toBe(
      'Theo tốc độ 77.778 mỗi ngày, dự báo đạt 30.777.778/40.000.000 vào 30/06/2023 (68,1%): ' +
        'chưa đạt chỉ tiêu, vượt quá biên độ cho phép 10,0%.',
    );
    expect(new Date(r.target.deadline).toISOString()).toBe(handComputed.deadline);
  });

  it('evaluates every Directive 05 target, the tasks by their dates', async () => {
    const { results } = await service.compute(asOf);
    expect(results).toHaveLength(19);
    const status = Object.fromEntries(results.map((r) => [r.target.id, r.status]));
    expect(status['mps-population-db-sharing']).toBe('missed'); // due March 2023, no completion reported
    // Tasks nobody has reported on are unknown, not on track, however far their due date.
    expect(status['mic-egov-architecture']).toBe('no_data'); // due September 2023
    expect(status['mic-national-databases-decree']).toBe('no_data');
    expect(results.find((r) => r.target.id === 'mic-egov-architecture')).toMatchObject({
      reason: 'no_report',
      projected: null,
      projectedCompletionAt: null,
      explanations: { en: 'No report on this task yet; it is due 30 Sept 2023.' },
    });
    // the last count, 2022-09-30, is 273 days old: over 3 × 90 days
    expect(status['villages-mobile-coverage-266']).toBe('no_data');
  });

  it('gives past deadlines their actual value and no completion date in the past', async () => {
    const today = parseAsOf('2026-12-01', 'Asia/Ho_Chi_Minh');
    const { results } = await service.compute(today);
    const byId = new Map(results.map((r) => [r.target.id, r]));
    // 14,638,905 of 30M, first reported 2024-10-01: no value by the June 2023 deadline, and at its
    // pace the line would have reached 30M before today, so no "projected completion" at all.
    expect(byId.get('ehealth-records-on-vneid-30m')).toMatchObject({
      status: 'missed',
      reason: 'deadline_passed',
      current: 14_638_905,
      projected: null,
      valueAtDeadline: null,
      projectedCompletionAt: null,
    });
    // The same figure whatever the viewing date: the last value at or before the deadline.
    const then = (await service.compute(new Date(asOf.getTime() + DAY))).results.find(
      (r) => r.target.id === 'vneid-accounts-40m',
    )!;
    for (const r of [byId.get('vneid-accounts-40m')!, then]) {
      expect(r).toMatchObject({ status: 'missed', projected: 12_500_000, valueAtDeadline: 12_500_000 });
      expect(r.explanations.en).toBe('The deadline of 30 Jun 2023 passed at 12,500,000 of 40,000,000 (4.8%).');
    }
  });

  it('holds the rules at every month end from January 2023 to today', async () => {
    const dates: string[] = [];
    for (let m = 0; m < 47; m++) {
      const last = new Date(Date.UTC(2023, m + 1, 0));
      dates.push(last.toISOString().slice(0, 10));
    }
    dates.push('2026-12-01');
    for (const date of dates) {
      const at = parseAsOf(date, 'Asia/Ho_Chi_Minh').getTime();
      const { results, indicators } = await service.compute(new Date(at));
      const indicatorKinds = new Map(indicators.map((i) => [i.id, i.kind]));
      for (const r of results) {
        const where = `${r.target.id} as of ${date}`;
        const indicator = indicatorKinds.get(r.target.indicatorId);
        expect(r.reason, where).toBeTruthy();
        expect(r.explanations.en.length, where).toBeGreaterThan(20);
        if (r.status !== 'achieved' && r.projectedCompletionAt !== null)
          expect(r.projectedCompletionAt, where).toBeGreaterThan(at);
        if (indicator === 'milestone') {
          if (r.status === 'on_track') expect(r.current, where).not.toBeNull();
          expect(r.projected, where).toBeNull();
        }
        if (indicator === 'cumulative' && r.target.direction === 'at_least' && r.current !== null) {
          if (at <= r.target.deadline) expect(r.projected!, where).toBeGreaterThanOrEqual(r.current);
          else expect(r.projected, where).toBe(r.valueAtDeadline);
        }
      }
    }
    expect(dates.slice(0, 2)).toEqual(['2023-01-31', '2023-02-28']);
    expect(dates.at(-2)).toBe('2026-11-30');
  }, 300_000);

  it('counts a 2024 value of old province 74 toward 2025 province 79', async () => {
    const { results } = await service.compute(new Date('2025-09-01T00:00:00Z'));
    const r = results.find((x) => x.target.id === 'hcmc-chip-id-cards')!;
    expect(r).toMatchObject({ current: 600, currentSource: 'predecessors' });
    expect(r.coverage).toBeCloseTo(1 / 3, 10); // 74, 77 and 79 merged into the new 79
    expect(r.progress).toBeCloseTo(0.6, 10);
  });

  it('stores snapshots and logs status changes only when a status changes', async () => {
    const first = await service.evaluate({ asOf });
    expect(first).toMatchObject({ targets: 19, statusChanges: 19 });
    const again = await service.evaluate({ asOf: new Date(asOf.getTime() + 60_000) });
    expect(again.statusChanges).toBeGreaterThan(0); // one minute later the June targets are missed
    const changes = await t.database.db
      .selectFrom('target_status_changes')
      .select(['target_id', 'from_status', 'to_status'])
      .where('run_id', '=', again.runId!)
      .orderBy('target_id')
      .execute();
    expect(changes).toContainEqual({ target_id: 'vneid-accounts-40m', from_status: 'off_track', to_status: 'missed' });
    expect(changes.every((c) => c.from_status !== c.to_status)).toBe(true);
    const third = await service.evaluate({ asOf: new Date(asOf.getTime() + 120_000) });
    expect(third.statusChanges).toBe(0);
    const stored = await t.database.db
      .selectFrom('evaluations')
      .select(['status', 'progress_ratio', 'projected_value'])
      .where('run_id', '=', first.runId!)
      .where('target_id', '=', 'vneid-accounts-40m')
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('off_track');
    expect(stored.projected_value).toBeCloseTo(handComputed.projected, 4);
  });

  // The CLI runs in a child process, which reaches this file's PostgreSQL schema (not an in-memory PGlite).
  if (backend === 'postgres')
    it('prints every target with `pacer evaluate --at 2023-06-30`', async () => {
      const json = await runPacerCli(['evaluate', '--at', '2023-06-30', '--json'], {
        DATABASE_URL: t.url,
        PACER_DEMO_DATA: 'false',
      });
      expect(json.code, json.stderr).toBe(0);
      const body = JSON.parse(json.stdout) as {
        as_of: string;
        targets: {
          target: string;
          status: string;
          progress: number | null;
          projected: number | null;
          deadline: string;
          projected_completion: string | null;
        }[];
      };
      expect(body.as_of).toBe(handComputed.deadline);
      expect(body.targets).toHaveLength(19);
      expect(body.targets.find((x) => x.target === 'vneid-accounts-40m')).toMatchObject({
        status: 'off_track',
        deadline: handComputed.deadline,
        projected_completion: '2023-10-27',
      });

      const table = await runPacerCli(['evaluate', '--at', '2023-06-30'], { DATABASE_URL: t.url });
      expect(table.code).toBe(0);
      const lines = table.stdout.trim().split('\n');
      // The columns, order and formats of `pacer status`, with the reason's code last.
      expect(lines[1]).toMatch(
        /^STATUS\s+TARGET\s+PROGRESS\s+EXPECTED\s+CURRENT\s+PROJECTED\s+TARGET VALUE\s+COMPLETION\s+DUE\s+REASON$/,
      );
      expect(lines.find((l) => l.includes(' vneid-accounts-40m '))).toMatch(
        new RegExp(
          '^Off track\\s+vneid-accounts-40m\\s+4\\.8%\\s+100\\.0%\\s+12,500,000\\s+30,777,778\\s+40,000,000\\s+' +
            '27 Oct 2023\\s+30 Jun 2023\\s+forecast_short$',
        ),
      );
      expect(lines).toHaveLength(2 + 19);

      // The locale of the shell picks the language; numbers and days follow it.
      const vi = await runPacerCli(['evaluate', '--at', '2023-06-30'], { DATABASE_URL: t.url, LANG: 'vi_VN.UTF-8' });
      expect(vi.code, vi.stderr).toBe(0);
      const viLines = vi.stdout.trim().split('\n');
      expect(viLines[0]).toMatch(/^\d+ chỉ tiêu tính đến 30\/06\/2023 \(Asia\/Ho_Chi_Minh\), chậm nhất xếp trước$/);
      expect(viLines.find((l) => l.includes(' vneid-accounts-40m '))).toMatch(
        new RegExp(
          '^Chậm tiến độ\\s+vneid-accounts-40m\\s+4,8%\\s+100,0%\\s+12\\.500\\.000\\s+30\\.777\\.778\\s+' +
            '40\\.000\\.000\\s+27/10/2023\\s+30/06/2023\\s+forecast_short$',
        ),
      );
    });
});

describe('pacer evaluate on a fresh clone, before any pacer start', () => {
  it('prepares the empty embedded database as start would and prints every Directive 05 target', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pacer-fresh-'));
    try {
      const table = await runPacerCli(['evaluate', '--at', '2023-06-30'], { PACER_DATA_DIR: dataDir });
      expect(table.code, table.stderr).toBe(0);
      expect(table.stderr).toContain(
        'the database was empty: applied the catalog in ./catalog and loaded the demo data (32 rows)',
      );
      const lines = table.stdout.trim().split('\n');
      expect(lines[0]).toBe('18 targets as of 30 Jun 2023 (Asia/Ho_Chi_Minh), worst first');
      expect(lines).toHaveLength(2 + 18);
      expect(lines.find((l) => l.includes(' vneid-accounts-40m '))).toMatch(
        /^Off track\s+vneid-accounts-40m\s+4\.8%\s+100\.0%\s+12,500,000\s+30,777,778/,
      );
      // Prepared once: the second run says nothing about it.
      const again = await runPacerCli(['evaluate', '--at', '2023-06-30'], { PACER_DATA_DIR: dataDir });
      expect(again.stderr).not.toContain('the database was empty');
      expect(again.stdout).toBe(table.stdout);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
