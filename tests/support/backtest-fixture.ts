import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import { createDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrator.js';
import { endOfDay, parseCalendarDate } from '../../src/domain/time/zoned-time.js';
import { seedObservations, type PushRecord } from './seed-observations.js';
import { openTestDatabase, type Backend } from './test-database.js';

/**
 * A synthetic catalog and its values whose backtest is computed by hand (the computation is in
 * tests/evaluation/backtest.test.ts): per indicator, month ends with (y, s), written as y − 2s, y − s, y on the
 * month's last three days.
 */
const groups: Record<string, [string, number, number][]> = {
  a_value: [
    ['2023-01-31', 62, 2],
    ['2023-02-28', 118, 2],
    ['2023-03-31', 180, 2],
    ['2023-04-30', 240, 2],
    ['2023-05-31', 302, 2],
    ['2023-06-30', 362, 2],
  ],
  b_value: [
    ['2023-01-31', 62, 2],
    ['2023-02-28', 118, 2],
    ['2023-03-31', 180, 2],
    ['2023-04-30', 200, 2],
    ['2023-05-31', 230, 2],
    ['2023-06-30', 240, 1],
  ],
  c_value: [
    ['2023-02-28', 40, 1],
    ['2023-03-31', 50, 0.5],
    ['2023-04-30', 100, 1],
    ['2023-05-31', 110, 0.5],
    ['2023-06-30', 120, 0.5],
    ['2023-07-31', 130, 0.5],
    ['2023-08-31', 140, 1],
    ['2023-09-30', 170, 1],
    ['2023-10-31', 200, 1],
    ['2023-11-30', 240, 1],
    ['2023-12-31', 270, 1],
  ],
};

function records(): PushRecord[] {
  const out: PushRecord[] = [];
  for (const [indicator, list] of Object.entries(groups)) {
    for (const [day, y, s] of list) {
      for (const back of [2, 1, 0]) {
        const d = new Date(`${day}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() - back);
        out.push({ indicator, region: 'TH-10', observed_at: d.toISOString().slice(0, 10), value: y - back * s });
      }
    }
  }
  return out;
}

async function writeCatalog(dir: string): Promise<void> {
  await cp('tests/fixtures/catalogs/minimal/regions', path.join(dir, 'regions'), { recursive: true });
  const ids = ['a_value', 'b_value', 'c_value', 'd_value'];
  const indicators = ids.map((id) => `  - { id: ${id}, name: ${id}, unit: things, kind: level, update_interval: 30d }`);
  const target = (id: string, indicator: string, due: string) =>
    `  - { id: ${id}, title: ${id}, indicator: ${indicator}, owner: Test, source: Test, ` +
    `baseline: { value: 0, date: 2022-12-31 }, target: 300, due: ${due} }`;
  await writeFile(
    path.join(dir, 'catalog.yaml'),
    `apiVersion: pacer/v1\nkind: IndicatorSet\nindicators:\n${indicators.join('\n')}\n---\n` +
      'apiVersion: pacer/v1\nkind: Directive\nid: backtest\ntitle: Backtest\nissuer: Test\nissued: 2023-01-01\n' +
      'timezone: Asia/Bangkok\nregion: TH-10\ntargets:\n' +
      [
        target('a-achieved', 'a_value', '2023-06'),
        target('b-missed-late-warning', 'b_value', '2023-06'),
        target('c-missed-early-warning', 'c_value', '2023-12'),
        target('d-undecided', 'd_value', '2099-12'),
      ].join('\n') +
      '\n',
  );
}

/** The catalog applied and the values written, closed again: `pacer` processes open it themselves. */
export async function prepareBacktestCatalog(
  backend: Backend,
  root: string,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const catalogDir = path.join(root, 'catalog');
  const jobsDir = path.join(root, 'jobs');
  await mkdir(jobsDir, { recursive: true });
  await writeCatalog(catalogDir);
  const common = {
    PACER_CATALOG_DIR: catalogDir,
    PACER_JOBS_DIR: jobsDir,
    PACER_DEMO_DATA: 'false',
    PACER_FORECAST_WINDOW_DAYS: '3',
  };
  let database: Database;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  if (backend === 'postgres') {
    const t = await openTestDatabase('postgres', 'backtest');
    database = t.database;
    env = { ...common, DATABASE_URL: t.url! };
    drop = () => t.drop();
  } else {
    const dataDir = path.join(root, 'data');
    database = await createDatabase({ dataDir });
    await migrateToLatest(database.db);
    env = { ...common, PACER_DATA_DIR: dataDir };
    drop = async () => {};
  }
  await applyCatalog(new CatalogRepository(database.db), catalogDir);
  // Each day's values are recorded as that day ends, as a feed would report them: the backtest replays the
  // evaluation as known at each step, so a value recorded today would be unknown at every step.
  const byDay = new Map<string, PushRecord[]>();
  for (const r of records()) byDay.set(r.observed_at, [...(byDay.get(r.observed_at) ?? []), r]);
  for (const [day, list] of [...byDay].sort(([a], [b]) => a.localeCompare(b)))
    await seedObservations(database, list, { now: endOfDay(parseCalendarDate(day)!, 'Asia/Bangkok') });
  if (backend === 'pglite') await database.close();
  return { env, drop };
}
