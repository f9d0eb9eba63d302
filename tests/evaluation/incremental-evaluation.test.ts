import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { EvaluationRepository } from '../../src/evaluation/evaluation-repository.js';
import { EvaluationService, type EvaluationSnapshot } from '../../src/evaluation/evaluation-service.js';
import { createLogger } from '../../src/logging/logger.js';
import { seedObservations, type PushRecord } from '../support/seed-observations.js';
import { defaultBackend, openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { seededRandom } from '../support/seeded-random.js';

/*
 * An evaluation of the changed targets only (after a batch) must leave every target exactly as a
 * full evaluation of the same data would: random batches over random series of a small region
 * tree (a nation, provinces with districts, a province merged wholly into another), with
 * indicators rolling up by sum, mean, max or not at all, and random targets on every level.
 */
const SEED = 20_250_701;
const ROUNDS = 20;
const AS_OF = new Date('2024-09-30T12:00:00Z');

const random = seededRandom(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;

const indicators = [
  { id: 'a', rollup: 'sum' },
  { id: 'b', rollup: 'mean' },
  { id: 'c', rollup: 'none' },
  { id: 'd', rollup: 'max' },
];
const provinces = ['XX-1', 'XX-2', 'XX-3'];
// XX-3 has no districts: its value comes from XX-9, merged into it, unless it reports itself.
const districts = ['XX-1-1', 'XX-1-2', 'XX-1-3', 'XX-2-1', 'XX-2-2'];
/** Reporting until 2023-12-31, then merged wholly into XX-3. */
const merged = 'XX-9';
const everyRegion = ['XX', ...provinces, ...districts, merged];

async function writeCatalog(dir: string): Promise<void> {
  await writeFile(
    path.join(dir, 'regions.yaml'),
    [
      'apiVersion: pacer/v1',
      'kind: RegionSet',
      'id: xx',
      'name: Testland',
      'timezone: UTC',
      'levels: [nation, province, district]',
      'root: { code: XX, name: Testland }',
      'units:',
      '  - { file: provinces.csv, level: province }',
      '  - { file: districts.csv, level: district }',
      'successors:',
      '  - { file: successors.csv, effective: 2024-01-01 }',
    ].join('\n') + '\n',
  );
  await writeFile(
    path.join(dir, 'provinces.csv'),
    'code,name,parent,valid_from,valid_to\n' +
      provinces.map((p) => `${p},${p},XX,,`).join('\n') +
      `\n${merged},${merged},XX,,2023-12-31\n`,
  );
  await writeFile(
    path.join(dir, 'districts.csv'),
    'code,name,parent,valid_from,valid_to\n' + districts.map((d) => `${d},${d},${d.slice(0, 4)},,`).join('\n') + '\n',
  );
  await writeFile(path.join(dir, 'successors.csv'), `from,to,kind\n${merged},XX-3,full\n`);
  const targets: string[] = [];
  for (let i = 0; i < 40; i++) {
    const indicator = pick(indicators).id;
    const region = pick(['XX', ...provinces, ...districts]);
    const direction = random() < 0.5 ? 'at_least' : 'at_most';
    const target = direction === 'at_least' ? int(300, 900) : int(0, 200);
    targets.push(
      `  - ${JSON.stringify({
        id: `t${i}`,
        title: `T ${i}`,
        indicator,
        region,
        owner: `Owner ${i % 3}`,
        source: 'test',
        baseline: { value: 250, date: '2023-01-01' },
        target,
        due: pick(['2024-06', '2024-12', '2025-06']),
        direction,
      })}`,
    );
  }
  await writeFile(
    path.join(dir, 'catalog.yaml'),
    [
      'apiVersion: pacer/v1',
      'kind: IndicatorSet',
      'indicators:',
      ...indicators.map(
        (i) =>
          `  - { id: ${i.id}, name: ${i.id}, unit: things, kind: level, rollup: ${i.rollup}, update_interval: 90d }`,
      ),
      '---',
      'apiVersion: pacer/v1',
      'kind: Directive',
      'id: prop',
      'title: Property',
      'issuer: Test',
      'issued: 2023-01-01',
      'timezone: UTC',
      'targets:',
      ...targets,
    ].join('\n') + '\n',
  );
}

/** A few observations on a few random series, dated up to the evaluation instant (some overwriting earlier ones). */
function randomBatch(size: number, leavesOnly = false): PushRecord[] {
  const records = new Map<string, PushRecord>();
  for (let i = 0; i < size; i++) {
    // Mostly the leaves, so most parents' values are rolled up from them.
    const region = leavesOnly || random() < 0.85 ? pick([...districts, merged, merged]) : pick(everyRegion);
    // The merged province reports only while it exists.
    const day = region === merged ? int(0, 300) : int(0, 600);
    const observed = new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    const record = { indicator: pick(indicators).id, region, observed_at: observed, value: int(0, 1000) };
    records.set(`${record.indicator}|${region}|${observed}`, record);
  }
  return [...records.values()];
}

function comparable(snapshot: EvaluationSnapshot) {
  return {
    results: [...snapshot.results]
      .map(({ forecast: _forecast, ...r }) => r)
      .sort((x, y) => x.target.id.localeCompare(y.target.id)),
    values: [...snapshot.indicatorValues].sort(
      (x, y) => x.indicatorId.localeCompare(y.indicatorId) || x.regionId - y.regionId,
    ),
  };
}

describe('evaluating only the targets a batch changed', () => {
  let t: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    t = await openTestDatabase(await defaultBackend(), 'incremental');
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-incremental-'));
    await writeCatalog(dir);
    await applyCatalog(new CatalogRepository(t.database.db), dir);
    await seedObservations(t.database, randomBatch(60, true), { now: new Date('2025-01-01T00:00:00Z') });
  });
  afterAll(async () => {
    await t?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives every target and indicator value a full evaluation of the same data gives, batch after batch', async () => {
    const snapshots: EvaluationSnapshot[] = [];
    const service = new EvaluationService({
      store: new EvaluationRepository(t.database.db, { exclusive: t.backend === 'postgres' }),
      logger: createLogger({ level: 'silent', pretty: false }),
      onSnapshot: (s) => snapshots.push(s),
      // The batches here are seconds apart: count only those committed after the newest run started.
      unseenMarginMs: 0,
    });
    // Applying the catalog is a change; the first run is full.
    await service.evaluate({ asOf: AS_OF });
    let partial = 0;
    let previous = await service.storedSnapshot(snapshots.at(-1)!.runId!);
    for (let round = 0; round < ROUNDS; round++) {
      await seedObservations(t.database, randomBatch(int(1, 4)), { now: new Date('2025-01-01T00:00:00Z') });
      const summary = await service.evaluateChanges({ asOf: AS_OF });
      expect(summary.evaluated, 'an evaluation of the changed targets, not a full one').toBeDefined();
      if (summary.evaluated! < summary.targets) partial++;
      const incremental = snapshots.at(-1)!;
      const full = await service.compute(AS_OF);
      expect(comparable(incremental)).toEqual(comparable(full));
      // What api processes load from the stored run is the same as what was computed.
      const stored = await new EvaluationRepository(t.database.db).runResults(summary.runId!);
      expect(stored!.results.map((r) => [r.target.id, r.status, r.current, r.progress])).toEqual(
        [...full.results]
          .sort((x, y) => x.target.id.localeCompare(y.target.id))
          .map((r) => [r.target.id, r.status, r.current, r.progress]),
      );
      // An api process told which targets were evaluated again reads only those, the rest from its base.
      const whole = await service.storedSnapshot(summary.runId!);
      const before = new Map(previous!.results.map((r) => [r.target.id, JSON.stringify(r)]));
      const named = whole!.results.filter((r) => before.get(r.target.id) !== JSON.stringify(r)).map((r) => r.target.id);
      const merged = await service.storedSnapshot(summary.runId!, {
        base: previous!,
        indicators: indicators.map((i) => i.id),
        targets: named,
      });
      expect(comparable(merged!)).toEqual(comparable(whole!));
      previous = whole;
    }
    // The property says nothing if every round evaluated every target.
    expect(partial).toBeGreaterThan(ROUNDS / 2);
  });
});
