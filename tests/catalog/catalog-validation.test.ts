import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog-loader.js';
import { formatIssue, type InputIssue } from '../../src/errors/pacer-error.js';
import { expectGolden } from '../support/golden.js';

describe('the shipped Directive 05 catalog', async () => {
  const { catalog, issues } = await loadCatalog('catalog');

  it('validates with no issue', () => {
    expect(issues.map(formatIssue)).toEqual([]);
  });

  it('holds every numeric target and dated task of the directive, each with owner and section', () => {
    expect(catalog.directives.map((d) => d.id)).toEqual(['ct-05-2023']);
    expect(catalog.targets).toHaveLength(18);
    for (const t of catalog.targets) {
      expect(t.owner).toMatch(/^Ministry of (Public Security|Home Affairs|Information and Communications)$/);
      expect(t.source).toMatch(/^Section (3|8|9)$/);
    }
    const inSection = (n: number) => catalog.targets.filter((t) => t.source === `Section ${n}`).length;
    expect([inSection(3), inSection(8), inSection(9)]).toEqual([7, 2, 9]);
  });

  it('sets the 40-million target from the published figures, due at the end of June 2023 in Viet Nam', () => {
    const t = catalog.targets.find((x) => x.id === 'vneid-accounts-40m')!;
    expect(t).toMatchObject({
      indicatorId: 'vneid_accounts_issued',
      regionCode: 'VN',
      baselineValue: 11_100_000,
      baselineDate: '2022-10-20',
      targetValue: 40_000_000,
      direction: 'at_least',
      dueDate: '2023-06-30',
    });
    expect(t.baselineSource).toContain('figures.csv');
    // The last instant of 30 June in Ho Chi Minh City.
    expect(t.deadline.toISOString()).toBe('2023-06-30T16:59:59.999Z');
  });

  it('says where every numeric baseline comes from', () => {
    const numeric = catalog.targets.filter(
      (t) => !catalog.indicators.find((i) => i.id === t.indicatorId && i.kind === 'milestone'),
    );
    expect(numeric.map((t) => t.id).sort()).toEqual([
      'ehealth-records-integrated-70pct',
      'ehealth-records-on-vneid-30m',
      'villages-mobile-coverage-266',
      'vneid-accounts-40m',
    ]);
    for (const t of numeric) expect(t.baselineSource).toMatch(/figures\.csv|assumption/);
  });

  it('tracks the 266 villages as an at_most target falling to zero', () => {
    expect(catalog.targets.find((t) => t.id === 'villages-mobile-coverage-266')).toMatchObject({
      baselineValue: 266,
      targetValue: 0,
      direction: 'at_most',
      dueDate: '2023-12-31',
    });
  });

  it('dates the events from the published figures, a month on its last day, each scoped as written', () => {
    const grew = catalog.events.find((e) => e.text.startsWith('The list of uncovered villages grew to 3,310'))!;
    expect(grew).toMatchObject({
      directiveId: 'ct-05-2023',
      dateText: '2024-09',
      day: '2024-09-30',
      precision: 'month',
      indicatorId: 'villages_without_mobile_coverage',
      targetIds: [],
    });
    // The end of the day in Viet Nam, the instant an observation of 30 September 2024 has.
    expect(grew.at.toISOString()).toBe('2024-09-30T16:59:59.999Z');
    expect(catalog.events.find((e) => e.text.startsWith('Decree 59/2022'))).toMatchObject({
      day: '2022-10-20',
      precision: 'day',
      targetIds: ['vneid-accounts-40m'],
      indicatorId: null,
    });
    expect(catalog.events.map((e) => e.position)).toEqual(catalog.events.map((_, i) => i));
  });

  it('loads the nation, 34 + 63 provinces and 3,321 + 10,052 communes with their successors', () => {
    const vn = catalog.regionSets.find((s) => s.id === 'vn')!;
    const count = (level: string, when: 'after' | 'before') =>
      vn.units.filter((u) => u.level === level && (when === 'after' ? u.validFrom !== null : u.validTo !== null))
        .length;
    expect(vn.units.filter((u) => u.level === 'nation')).toHaveLength(1);
    expect([count('province', 'after'), count('province', 'before')]).toEqual([34, 63]);
    expect([count('commune', 'after'), count('commune', 'before')]).toEqual([3321, 10052]);
    expect(vn.successors.filter((s) => s.fromCode.length === 2)).toHaveLength(63);
    expect(vn.successors.find((s) => s.fromCode === '74')).toMatchObject({ toCode: '79', kind: 'full' });
  });
});

describe('catalog errors', () => {
  it('lists every problem of a broken catalog with file, line and field (golden)', async () => {
    const { issues } = await loadCatalog('tests/fixtures/catalogs/broken');
    await expectGolden(
      'tests/catalog/golden/broken-catalog.txt',
      issues.map((i) => `${i.code}\t${formatIssue(i)}`).join('\n') + '\n',
    );
  });

  /** Issues as compared below: where, which field, what. */
  const listed = (issues: InputIssue[]) =>
    issues.map(({ file, line, field, message }) => ({ file, line, field, message }));

  it('reports a YAML syntax error once, and nothing about targets naming the indicators of that file', async () => {
    const dir = 'tests/fixtures/catalogs/yaml-typo';
    const { issues } = await loadCatalog(dir);
    expect(listed(issues)).toEqual([
      {
        file: path.join(dir, 'indicators.yaml'),
        line: 7,
        field: undefined,
        message: 'Tabs are not allowed as indentation',
      },
    ]);
  });

  it('reports every independent error of a target, and nothing about a target whose indicator is invalid', async () => {
    const dir = 'tests/fixtures/catalogs/target-errors';
    const file = path.join(dir, 'catalog.yaml');
    const { issues } = await loadCatalog(dir);
    expect(listed(issues)).toEqual([
      {
        file,
        line: 5,
        field: 'indicators[1].kind',
        message: 'expected one of cumulative, level, ratio, milestone; got "cumulativ"',
      },
      { file, line: 23, field: 'targets[0].due', message: 'expected a date or YYYY-MM, got "Juen 2024"' },
      { file, line: 32, field: 'targets[1].due', message: 'expected a date or YYYY-MM, got "2024-13"' },
      {
        file,
        line: 22,
        field: 'targets[0].target',
        message: 'connected_share is a ratio: expected a value in 0..1, got 70',
      },
      { file, line: 26, field: 'targets[1].indicator', message: 'unknown indicator "conected_share"' },
      { file, line: 27, field: 'targets[1].region', message: 'unknown region "TH-77"' },
    ]);
  });

  const work: string[] = [];
  afterAll(async () => Promise.all(work.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('finds a misspelt month, an unknown indicator and a duplicate id in a copy of the shipped catalog', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pacer-catalog-'));
    work.push(dir);
    await cp('catalog', dir, { recursive: true });
    const file = path.join(dir, 'ct-05-2023.yaml');
    let text = await readFile(file, 'utf8');
    text = text.replace('due: June 2023', 'due: Juen 2023');
    text = text.replace('indicator: ehealth_records_on_vneid', 'indicator: ehealth_records_on_vneidd');
    text = text.replace('- id: mic-free-sms-notifications', '- id: mic-telecom-subscriber-databases');
    await writeFile(file, text);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    const { issues } = await loadCatalog(dir);
    const lines = issues.map(formatIssue);
    expect(lines).toContain(
      `${file}:${lineOf('Juen 2023')} targets[0].due: expected a date or YYYY-MM, got "Juen 2023"`,
    );
    expect(lines).toContain(
      `${file}:${lineOf('ehealth_records_on_vneidd')} targets[2].indicator: ` +
        'unknown indicator "ehealth_records_on_vneidd"',
    );
    const duplicate = issues.find((i) => i.code === 'duplicate_id')!;
    expect(duplicate.line).toBe(
      text.split('\n').findLastIndex((l) => l.includes('- id: mic-telecom-subscriber-databases')) + 1,
    );
    expect(issues).toHaveLength(3);
  });
});

describe('catalog event errors', () => {
  const work: string[] = [];
  afterAll(async () => Promise.all(work.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('reports each bad event with its line and field, and keeps the directive and its other events', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pacer-catalog-events-'));
    work.push(dir);
    await cp('catalog', dir, { recursive: true });
    const file = path.join(dir, 'ct-05-2023.yaml');
    let text = await readFile(file, 'utf8');
    text = text.replace('date: 2024-09', 'date: 2024-9-31');
    text = text.replace('targets: [vneid-accounts-40m]', 'targets: [vneid-accounts-40]');
    text = text.replace('  - date: 2021-01-01\n', '  - date: 2021-01-01\n    when: soon\n');
    text += '  - date: 2023-03-01\n    text: both scopes\n    targets: [vneid-accounts-40m]\n';
    text += '    indicator: vneid_accounts_issued\n';
    text += '  - date: 2023-03-02\n    text: an unknown indicator\n    indicator: vneid_acounts\n';
    await writeFile(file, text);
    const lineOf = (needle: string) => text.split('\n').findLastIndex((l) => l.includes(needle)) + 1;

    const { catalog, issues } = await loadCatalog(dir);
    expect(issues.map((i) => ({ line: i.line, field: i.field, message: i.message }))).toEqual([
      { line: lineOf('when: soon'), field: 'events[2].when', message: 'unknown field "when"' },
      {
        line: lineOf('2024-9-31'),
        field: 'events[3].date',
        message: 'expected a date or YYYY-MM, got "2024-9-31"',
      },
      {
        line: lineOf('indicator: vneid_accounts_issued'),
        field: 'events[4].indicator',
        message: 'give targets or indicator, not both',
      },
      {
        line: lineOf('vneid-accounts-40]'),
        field: 'events[1].targets[0]',
        message: 'directive ct-05-2023 sets no target "vneid-accounts-40"',
      },
      {
        line: lineOf('indicator: vneid_acounts'),
        field: 'events[5].indicator',
        message: 'unknown indicator "vneid_acounts"',
      },
    ]);
    expect(catalog.directives.map((d) => d.id)).toEqual(['ct-05-2023']);
    expect(catalog.targets).toHaveLength(18);
    expect(catalog.events.map((e) => e.dateText)).toEqual(['2023-02-23']);
  });
});

describe('region sets from generic CSV', () => {
  it('loads another country with default columns, successors and milestones', async () => {
    const { catalog, issues } = await loadCatalog('tests/fixtures/catalogs/minimal');
    expect(issues.map(formatIssue)).toEqual([]);
    const th = catalog.regionSets[0]!;
    expect(th.units.map((u) => u.code)).toEqual(['TH', 'TH-10', 'TH-98', 'TH-99']);
    expect(th.units.find((u) => u.code === 'TH-98')?.validTo?.toISOString()).toBe('2023-12-31T17:00:00.000Z');
    expect(th.successors).toEqual([
      { fromCode: 'TH-98', toCode: 'TH-99', kind: 'full', effective: new Date('2023-12-31T17:00:00.000Z') },
    ]);
    expect(catalog.targets[0]!.milestones).toEqual([
      // A milestone is due at the end of its day; a unit's valid_to (above) is bounded by the next midnight.
      { dueDate: '2024-06-30', deadline: new Date('2024-06-30T16:59:59.999Z'), value: 500000 },
    ]);
  });
});
