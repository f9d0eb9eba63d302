import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import {
  seriesFacts,
  type FitSpread,
  type Line,
  type SeriesFacts,
} from '../../src/domain/evaluation/target-evaluation.js';
import { EvaluationRepository } from '../../src/evaluation/evaluation-repository.js';
import type { TargetRecord } from '../../src/evaluation/evaluation-store.js';
import { seedObservations, type PushRecord } from '../support/seed-observations.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';
import { seededRandom } from '../support/seeded-random.js';

/*
 * The set-based query (EvaluationRepository.directFacts) computes, for speed, what the pure domain
 * functions define (seriesFacts: first meetings of the target value, the window's least squares).
 * Random series written through the production ingest, one target each, must give the same facts
 * on both backends: the instants and the window count exactly, the line and the spread around it
 * (mean x, Sxx and the residual sum of squares, which the chance to meet is computed from) within
 * float tolerance.
 */
const SERIES = 200;
const SEED = 20_230_630;
const DAY = 86_400_000;
const MINUTE = 60_000;
const rounds = [
  { asOf: Date.parse('2024-03-01T00:00:00Z'), windowMs: 180 * DAY },
  { asOf: Date.parse('2024-06-15T12:34:56.789Z'), windowMs: 30 * DAY },
  { asOf: Date.parse('2024-09-30T23:59:59.999Z'), windowMs: 365 * DAY },
];
/** Relative tolerance of the fitted line: PostgreSQL's regr_* and leastSquares sum in different orders. */
const REL = 1e-9;

/** The catalog's draw; each backend's beforeAll restarts it for the series, so both see the same data. */
let random = seededRandom(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pad = (n: number) => String(n).padStart(2, '0');

interface Spec {
  direction: 'at_least' | 'at_most';
  baseline: number;
  target: number;
  baselineDate: string;
  due: string;
}

const specs: Spec[] = Array.from({ length: SERIES }, () => {
  const direction = random() < 0.5 ? 'at_least' : 'at_most';
  const target = int(100, 900);
  const month = int(0, 20); // due 2023-07 .. 2025-03: some before every round, some after
  return {
    direction,
    target,
    baseline: direction === 'at_least' ? target - int(1, 100) : target + int(1, 100),
    baselineDate: `2022-${pad(int(7, 12))}-${pad(int(1, 28))}`,
    due: `${2023 + Math.floor((6 + month) / 12)}-${pad(((6 + month) % 12) + 1)}`,
  };
});

async function writeCatalog(dir: string): Promise<void> {
  await cp('tests/fixtures/catalogs/minimal/regions', path.join(dir, 'regions'), { recursive: true });
  const indicators = specs.map(
    (_, i) => `  - { id: s${i}, name: "s ${i}", unit: things, kind: level, update_interval: 7d }`,
  );
  const targets = specs.map((s, i) => {
    const baseline = { value: s.baseline, date: s.baselineDate };
    const target = { id: `series-${i}`, title: `Series ${i}`, indicator: `s${i}`, owner: 'T', source: 'T', baseline };
    return `  - ${JSON.stringify({ ...target, target: s.target, due: s.due, direction: s.direction })}`;
  });
  const directive = ['kind: Directive', 'id: oracle', 'title: Oracle', 'issuer: Test', 'issued: 2022-06-01']
    .concat(['timezone: Asia/Bangkok', 'region: TH-10'])
    .join('\n');
  await writeFile(
    path.join(dir, 'catalog.yaml'),
    `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n---\n` +
      `apiVersion: pacer/v1\n${directive}\ntargets:\n${targets.join('\n')}\n`,
  );
}

type Point = { at: number; value: number };

/**
 * 0..40 points with distinct instants: mostly anywhere from mid-2022 to the end of 2024 on a
 * minute grid, some on the edges the query must get right (the baseline instant, the deadline and
 * a millisecond either side, a round's instant and window start and a millisecond after); values
 * often exactly the target or the baseline value.
 */
function series(target: TargetRecord): Point[] {
  const from = Date.parse('2022-06-01T00:00:00Z');
  const to = Date.parse('2024-12-31T00:00:00Z');
  const taken = new Set<number>();
  const points: Point[] = [];
  const count = int(0, 40);
  while (points.length < count) {
    const round = rounds[int(0, rounds.length - 1)]!;
    const windowStart = round.asOf - round.windowMs;
    const edges = [target.baselineAt, target.deadline, target.deadline - 1, target.deadline + 1];
    edges.push(round.asOf, round.asOf + 1);
    edges.push(windowStart, windowStart + 1);
    const at = random() < 0.25 ? edges[int(0, edges.length - 1)]! : from + int(0, (to - from) / MINUTE) * MINUTE;
    if (taken.has(at)) continue;
    taken.add(at);
    const pick = random();
    const spread = Math.round((target.targetValue + (random() * 2 - 1) * 300) * 1000) / 1000;
    const value = pick < 0.25 ? target.targetValue : pick < 0.35 ? target.baselineValue : spread;
    points.push({ at, value });
  }
  return points;
}

function lineMismatch(got: Line | null, want: Line | null, window: Point[], asOf: number): string | null {
  const described = `line ${JSON.stringify(got)}, oracle ${JSON.stringify(want)}`;
  if (got === null || want === null) return got === want ? null : described;
  // Floors for values near zero: what an error of REL in the largest value or time would move.
  const v = Math.max(1, ...window.map((p) => Math.abs(p.value)));
  const x = Math.max(1, ...window.map((p) => Math.abs(p.at - asOf)));
  const slopeOk = Math.abs(got.slope - want.slope) <= REL * (Math.abs(want.slope) + v / x);
  const interceptScale = Math.abs(want.intercept) + v + Math.abs(want.slope) * x;
  const interceptOk = Math.abs(got.intercept - want.intercept) <= REL * interceptScale;
  return slopeOk && interceptOk ? null : described;
}

function spreadMismatch(
  got: FitSpread | null | undefined,
  want: FitSpread | null | undefined,
  window: Point[],
  asOf: number,
): string | null {
  const described = `spread ${JSON.stringify(got)}, oracle ${JSON.stringify(want)}`;
  if (!got || !want) return (got ?? null) === (want ?? null) ? null : described;
  const x = Math.max(1, ...window.map((p) => Math.abs(p.at - asOf)));
  const meanY = window.reduce((s, p) => s + p.value, 0) / window.length;
  // The residual sum of squares is Syy − Sxy²/Sxx in SQL: its error is relative to Syy, not to itself.
  const syy = window.reduce((s, p) => s + (p.value - meanY) ** 2, 0);
  const meanOk = Math.abs(got.meanX - want.meanX) <= REL * x;
  const sxxOk = Math.abs(got.sxx - want.sxx) <= REL * (want.sxx + x * x);
  const sseOk = Math.abs(got.sse - want.sse) <= REL * (syy + 1);
  return meanOk && sxxOk && sseOk ? null : described;
}

const backends = await testBackends();

describe.each(backends)('direct facts against the domain oracle on %s', (backend) => {
  let t: TestDatabase;
  let dir: string;
  let repository: EvaluationRepository;
  let targets: TargetRecord[];
  const seriesById = new Map<string, Point[]>();

  beforeAll(async () => {
    t = await openTestDatabase(backend, 'oracle');
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-oracle-'));
    await writeCatalog(dir);
    await applyCatalog(new CatalogRepository(t.database.db), dir);
    repository = new EvaluationRepository(t.database.db);
    targets = await repository.targets();
    expect(targets).toHaveLength(SERIES);
    random = seededRandom(SEED + 1);
    const records: PushRecord[] = [];
    for (const target of targets) {
      const points = series(target);
      seriesById.set(target.id, points);
      for (const p of points) {
        const observedAt = new Date(p.at).toISOString();
        records.push({ indicator: target.indicatorId, region: 'TH-10', observed_at: observedAt, value: p.value });
      }
    }
    expect(await seedObservations(t.database, records)).toMatchObject({ inserted: records.length, rejected: 0 });
  }, 60_000);
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const named = rounds.map((r) => [new Date(r.asOf).toISOString(), r] as const);
  it.each(named)('gives the facts seriesFacts gives for every series as of %s', async (_name, round) => {
    const windowStart = round.asOf - round.windowMs;
    const facts = await repository.directFacts(new Date(round.asOf), new Date(windowStart));
    const mismatches: string[] = [];
    const seen = { ties: 0, byDeadline: 0, afterDeadline: 0, lines: 0, spreads: 0, empty: 0 };
    for (const target of targets) {
      const points = seriesById.get(target.id)!;
      const known = points.filter((p) => p.at <= round.asOf);
      const want: SeriesFacts = seriesFacts(points, target, round.asOf, windowStart);
      const got = facts.get(target.id);
      if (known.length === 0) {
        seen.empty++;
        if (got) mismatches.push(`${target.id}: facts for a series with no known point`);
        continue;
      }
      if (!got) {
        mismatches.push(`${target.id}: no facts, oracle ${JSON.stringify(want)}`);
        continue;
      }
      if (known.some((p) => p.value === target.targetValue)) seen.ties++;
      const { at_least: atLeast, at_most: atMost } = want.reach;
      if (atLeast.byDeadline !== null || atMost.byDeadline !== null) seen.byDeadline++;
      if (atLeast.afterDeadline !== null || atMost.afterDeadline !== null) seen.afterDeadline++;
      if (want.fit.line) seen.lines++;
      const [gotReach, wantReach] = [JSON.stringify(got.reach), JSON.stringify(want.reach)];
      if (gotReach !== wantReach) mismatches.push(`${target.id}: reach ${gotReach}, oracle ${wantReach}`);
      if (got.fit.n !== want.fit.n) mismatches.push(`${target.id}: window n ${got.fit.n}, oracle ${want.fit.n}`);
      const window = known.filter((p) => p.at > windowStart);
      const line = lineMismatch(got.fit.line, want.fit.line, window, round.asOf);
      if (line) mismatches.push(`${target.id}: ${line}`);
      const spread = spreadMismatch(got.fit.spread, want.fit.spread, window, round.asOf);
      if (spread) mismatches.push(`${target.id}: ${spread}`);
      if (want.fit.spread && want.fit.n >= 3) seen.spreads++;
    }
    expect(mismatches).toEqual([]);
    expect(facts.size).toBe(SERIES - seen.empty);
    // The random series reach the cases that matter, or the comparison proves little.
    expect(seen.empty).toBeGreaterThan(0);
    expect(seen.ties).toBeGreaterThan(10);
    expect(seen.byDeadline).toBeGreaterThan(10);
    expect(seen.afterDeadline).toBeGreaterThan(10);
    expect(seen.lines).toBeGreaterThan(10);
    expect(seen.spreads).toBeGreaterThan(10);
  });

  it("brings each series' first meetings forward through back-dated values, corrections and a past view", async () => {
    // No margin: every batch here commits before the next evaluation starts, so a stale row can only be missed
    // by a wrong rule, never saved by the margin's looking back.
    const cached = new EvaluationRepository(t.database.db, { unseenMarginMs: 0 });
    const reachOf = async (asOf: number) => {
      const facts = await cached.directFacts(new Date(asOf), new Date(asOf - 30 * DAY));
      const mismatches: string[] = [];
      for (const target of targets) {
        const want = seriesFacts(seriesById.get(target.id)!, target, asOf, asOf - 30 * DAY);
        const got = facts.get(target.id);
        const known = seriesById.get(target.id)!.some((p) => p.at <= asOf);
        if (!known && got) mismatches.push(`${target.id} as of ${asOf}: facts for a series with no known point`);
        if (known && JSON.stringify(got?.reach) !== JSON.stringify(want.reach))
          mismatches.push(
            `${target.id} as of ${asOf}: reach ${JSON.stringify(got?.reach)}, oracle ${JSON.stringify(want.reach)}`,
          );
      }
      return mismatches;
    };
    random = seededRandom(SEED + 2);
    const steps = [
      Date.parse('2023-03-01T00:00:00Z'),
      Date.parse('2023-09-01T00:00:00Z'),
      Date.parse('2024-02-01T00:00:00Z'),
      Date.parse('2024-08-01T00:00:00Z'),
      Date.parse('2025-01-01T00:00:00Z'),
    ];
    let changed = 0;
    for (const [i, asOf] of steps.entries()) {
      expect(await reachOf(asOf)).toEqual([]);
      // Between evaluations: values dated before the last one (back-dated), and corrections of stored values.
      const records: PushRecord[] = [];
      for (const target of targets) {
        if (random() > 0.15) continue;
        const points = seriesById.get(target.id)!;
        const stored = points.filter((p) => p.at <= asOf);
        const value = random() < 0.5 ? target.targetValue : target.baselineValue;
        if (stored.length > 0 && random() < 0.5) {
          const p = stored[int(0, stored.length - 1)]!;
          if (p.value === value) continue;
          p.value = value;
          records.push({
            indicator: target.indicatorId,
            region: 'TH-10',
            observed_at: new Date(p.at).toISOString(),
            value,
          });
        } else {
          const at = asOf - int(1, 200) * DAY - int(0, 1000) * MINUTE;
          if (points.some((p) => p.at === at)) continue;
          points.push({ at, value });
          records.push({
            indicator: target.indicatorId,
            region: 'TH-10',
            observed_at: new Date(at).toISOString(),
            value,
          });
        }
      }
      changed += records.length;
      if (records.length > 0) expect(await seedObservations(t.database, records)).toMatchObject({ rejected: 0 });
      // Now and then a view of the past between two evaluations of the present: it must not move a row back.
      if (i === 2) expect(await reachOf(steps[0]!)).toEqual([]);
    }
    expect(changed).toBeGreaterThan(50);
    const rows = await sql<{ n: number }>`select count(*)::int as n from target_reach
                                            where through = ${new Date(steps.at(-1)!)}::timestamptz`.execute(
      t.database.db,
    );
    expect(rows.rows[0]!.n).toBe(SERIES);
  });
});
