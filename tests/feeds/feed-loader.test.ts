import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFeeds } from '../../src/feeds/feed-loader.js';
import { slotsAround, missedSlots } from '../../src/feeds/feed-registry.js';
import { compileMapping, parsePath } from '../../src/feeds/record-mapping.js';
import { runPacerCli } from '../support/pacer-process.js';

const options = {
  defaultTimeZone: 'Asia/Ho_Chi_Minh',
  indicatorIds: ['vneid_accounts_issued', 'chip_id_cards_issued'],
};

async function jobsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-jobs-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const valid = `apiVersion: pacer/v1
kind: Feed
id: mps-daily
schedule: "0 6 * * *"
expected_every: 1d
indicators: ["vneid_*"]
source:
  type: file
  path: drop/*.csv
`;

describe('feed definitions', () => {
  it('loads a valid feed with its defaults and the catalog time zone', async () => {
    const dir = await jobsDir({ 'mps.yaml': valid });
    const { feeds, issues } = await loadFeeds(dir, options);
    expect(issues).toEqual([]);
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({
      id: 'mps-daily',
      enabled: true,
      schedule: { cron: '0 6 * * *', timezone: 'Asia/Ho_Chi_Minh' },
      timeout: 60_000,
      retries: { attempts: 3, backoff: 30_000 },
      expected_every: 86_400_000,
      mode: 'atomic',
      baseDir: dir,
    });
  });

  it('reports every problem with its file, line and field', async () => {
    const dir = await jobsDir({
      'bad.yaml': `apiVersion: pacer/v1
kind: Feed
id: Bad Id
schedule: "61 * * * *"
timeout: soon
expected_every: 1d
indicators: ["nothing_*"]
source:
  type: http
  url: ftp://example.org/x
  headers_from_env:
    Authorization: "Bearer abc123"
colour: blue
`,
      'dup.yaml': `${valid}---\n${valid}`,
      'broken.yml': 'apiVersion: pacer/v1\nkind: Feed\n  id: [\n',
    });
    const { feeds, issues } = await loadFeeds(dir, options);
    expect(feeds.map((f) => f.id)).toEqual(['mps-daily']);
    const byField = Object.fromEntries(issues.filter((i) => i.file!.endsWith('bad.yaml')).map((i) => [i.field, i]));
    expect(byField.id).toMatchObject({ line: 3, code: 'schema' });
    expect(byField['schedule.cron']).toMatchObject({
      line: 4,
      message: expect.stringMatching(/not a valid cron expression/),
    });
    expect(byField.timeout).toMatchObject({ line: 5 });
    expect(byField['source.url']).toMatchObject({ line: 10 });
    expect(byField['source.headers_from_env.Authorization']?.message).toMatch(/never the secret/);
    expect(byField.colour).toMatchObject({ code: 'unknown_field', line: 13 });
    // The second document's id, counted from the top of the file.
    expect(issues.find((i) => i.code === 'duplicate_id')).toMatchObject({
      field: 'id',
      line: 13,
      message: expect.stringContaining('first defined in'),
    });
    expect(issues.find((i) => i.code === 'yaml_syntax')?.file).toMatch(/broken\.yml$/);
  });

  it('rejects indicator patterns that match nothing in the catalog', async () => {
    const dir = await jobsDir({ 'f.yaml': valid.replace('["vneid_*"]', '["vneid_*", "villages_*"]') });
    const { issues } = await loadFeeds(dir, options);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_indicator', field: 'indicators[1]', line: 6 })]);
  });

  it('computes the slots around a time in the schedule time zone, and the missed ones', async () => {
    const dir = await jobsDir({ 'mps.yaml': valid });
    const [feed] = (await loadFeeds(dir, options)).feeds;
    // 06:00 in Ho Chi Minh City is 23:00 UTC the day before.
    const at = new Date('2026-11-27T12:00:00Z');
    expect(slotsAround(feed!, at)).toEqual({
      previous: new Date('2026-11-26T23:00:00Z'),
      next: new Date('2026-11-27T23:00:00Z'),
    });
    expect(slotsAround(feed!, new Date('2026-11-26T23:00:00Z')).previous).toEqual(new Date('2026-11-26T23:00:00Z'));
    expect(missedSlots([feed!], new Map(), at)).toEqual([{ feed, slot: new Date('2026-11-26T23:00:00Z') }]);
    expect(missedSlots([feed!], new Map([['mps-daily', new Date('2026-11-26T23:00:05Z')]]), at)).toEqual([]);
    expect(missedSlots([{ ...feed!, enabled: false }], new Map(), at)).toEqual([]);
  });
});

describe('field mappings', () => {
  it('reads columns, nested paths, array indexes and constants', () => {
    expect(parsePath('$.data.items')).toEqual(['data', 'items']);
    expect(parsePath("values[0]['a b']")).toEqual(['values', 0, 'a b']);
    expect(parsePath('observed_on')).toEqual(['observed_on']);
    const map = compileMapping({
      indicator: { const: 'vneid_accounts_issued' },
      region: 'province.code',
      observed_at: 'as_of',
      value: 'values[1]',
      dims: { level: 'level', source: { const: 'mps' } },
    });
    expect(map({ province: { code: '79' }, as_of: '2023-06-30', values: [1, 42], level: 2 }, 7)).toEqual({
      line: 7,
      indicator: 'vneid_accounts_issued',
      region: '79',
      observed_at: '2023-06-30',
      value: 42,
      dims: { level: '2', source: 'mps' },
    });
    expect(map({ as_of: new Date('2023-06-30T00:00:00Z') }, 1)).toMatchObject({
      region: undefined,
      observed_at: '2023-06-30T00:00:00.000Z',
      value: undefined,
    });
  });
});

describe('pacer jobs validate', () => {
  it('lists the shipped feeds under a header row with their next run in local time and exits 0', async () => {
    const result = await runPacerCli(['jobs', 'validate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^FEED\s+SOURCE\s+SCHEDULE\s+TIME ZONE\s+NEXT RUN$/m);
    // The next run of a 06:00 local schedule reads 06:00 local, with the zone's offset.
    expect(result.stdout).toMatch(
      /^scheme06-figures\s+file\s+0 6 \* \* \*\s+Asia\/Ho_Chi_Minh\s+\d{4}-\d{2}-\d{2}T06:00:00\+07:00$/m,
    );
    expect(result.stdout).toMatch(/^mic-subscribers-http\s+http .* disabled$/m);
    expect(result.stdout).toMatch(/2 feed\(s\), 1 enabled/);
  });

  it('exits 1 listing each error with file and line', async () => {
    const dir = await jobsDir({ 'x.yaml': valid.replace('expected_every: 1d', 'expected_every: often') });
    const result = await runPacerCli(['jobs', 'validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path.join(dir, 'x.yaml')}:5 expected_every: expected a duration`);
    expect(result.stderr).toMatch(/1 error in 1 file/);
  });
});
