import { describe, expect, it } from 'vitest';
import { BatchKeyIndex, KeySeen } from '../../src/domain/observations/batch-key-index.js';
import { IndicatorScope, parseScope } from '../../src/domain/observations/indicator-scope.js';
import { IssueList } from '../../src/domain/observations/issue-list.js';
import type { RawObservation } from '../../src/domain/observations/observation.js';
import { IngestCatalog, type CatalogRegion } from '../../src/domain/observations/ingest-catalog.js';
import { ObservationValidator, observationIssueCodes } from '../../src/domain/observations/observation-validator.js';
import { InstantParser } from '../../src/domain/time/instant-parser.js';
import { parseReportedTime } from '../../src/domain/time/zoned-time.js';

const hcm = 'Asia/Ho_Chi_Minh';
const merger = new Date('2025-06-30T17:00:00Z'); // 2025-07-01 00:00 in Viet Nam
const regions: CatalogRegion[] = [
  { id: 1, code: 'VN', name: 'Việt Nam', validFrom: null, validTo: null, timezone: hcm },
  { id: 2, code: '79', name: 'HCMC (old)', validFrom: null, validTo: merger, timezone: hcm },
  { id: 3, code: '79', name: 'HCMC', validFrom: merger, validTo: null, timezone: hcm },
  { id: 4, code: '74', name: 'Bình Dương', validFrom: null, validTo: merger, timezone: hcm },
  { id: 5, code: 'NY', name: 'New York', validFrom: null, validTo: null, timezone: 'America/New_York' },
];
const catalog = new IngestCatalog(
  [
    { id: 'accounts', kind: 'cumulative' },
    { id: 'share', kind: 'ratio' },
    { id: 'done', kind: 'milestone' },
    { id: 'backlog', kind: 'level' },
  ],
  regions,
);
const now = new Date('2026-01-01T00:00:00Z');

function check(records: Omit<RawObservation, 'line'>[], scope?: string[]) {
  const issues = new IssueList();
  const validator = new ObservationValidator(catalog, issues, {
    now,
    scope: scope ? new IndicatorScope(scope) : undefined,
  });
  const valid = records.map((r, i) => {
    const v = validator.validate({ line: i + 1, ...r });
    return v ? { ...v } : undefined;
  });
  return { valid, issues, validator };
}

const base = { indicator: 'accounts', region: '79', observed_at: '2025-08-01', value: 10 };

describe('observation validation', () => {
  it('reads a bare date as the end of that day in the region set time zone', () => {
    const { valid } = check([base, { ...base, region: 'NY', observed_at: '2025-08-01' }]);
    expect(new Date(valid[0]!.observedAtMs).toISOString()).toBe('2025-08-01T16:59:59.999Z');
    expect(new Date(valid[1]!.observedAtMs).toISOString()).toBe('2025-08-02T03:59:59.999Z');
  });

  it('resolves a code to the unit it named on the date', () => {
    const { valid } = check([
      base,
      { ...base, observed_at: '2025-06-30' },
      { ...base, observed_at: '2025-06-30T23:59:59+07:00' },
      { ...base, observed_at: '2025-07-01T00:00:00+07:00' },
    ]);
    expect(valid.map((v) => v!.regionId)).toEqual([3, 2, 2, 3]);
  });

  it.each([
    [{ indicator: 'nope' }, 'indicator', 'unknown_indicator'],
    [{ region: 'XX' }, 'region', 'unknown_region'],
    [{ region: '74' }, 'region', 'region_not_valid_at'],
    [{ value: 'ten' }, 'value', 'invalid_value'],
    [{ value: ' 1e3 ' }, undefined, undefined],
    [{ value: '+Inf' }, 'value', 'non_finite_value'],
    [{ value: Number.NaN }, 'value', 'non_finite_value'],
    [{ indicator: 'share', value: 1.01 }, 'value', 'ratio_out_of_range'],
    [{ indicator: 'share', value: 1 }, undefined, undefined],
    [{ indicator: 'done', value: 1 }, undefined, undefined],
    [{ indicator: 'done', value: 0.5 }, 'value', 'invalid_milestone'],
    [{ value: -0.5 }, 'value', 'negative_count'],
    [{ indicator: 'backlog', value: -3 }, undefined, undefined],
    [{ observed_at: '2026-01-01T00:04:59Z' }, undefined, undefined],
    [{ observed_at: '2026-01-01T00:05:01Z' }, 'observed_at', 'future_timestamp'],
    // 07:00 on 1 January in Ho Chi Minh City: today's figure is accepted, tomorrow's is not.
    [{ observed_at: '2026-01-01' }, undefined, undefined],
    [{ observed_at: '2026-01-02' }, 'observed_at', 'future_timestamp'],
    [{ observed_at: '2025-02-29' }, 'observed_at', 'invalid_timestamp'],
    [{ observed_at: '0999-01-01' }, 'observed_at', 'invalid_timestamp'],
    [{ dims: { b: '1', a: '2' } }, undefined, undefined],
    [{ dims: { 'a b': '1' } }, 'dims.a b', 'invalid_dims'],
    [{ dims: { a: '' } }, 'dims.a', 'invalid_dims'],
    [{ dims: ['a'] }, 'dims', 'invalid_dims'],
    [{ note: 'x'.repeat(1000) }, undefined, undefined],
    [{ note: 'x'.repeat(1001) }, 'note', 'note_too_long'],
    [{ note: 'a\u0000b' }, 'note', 'invalid_text'],
    [{ note: 'x\ud800' }, 'note', 'invalid_text'],
    [{ note: '\udc00x' }, 'note', 'invalid_text'],
    [{ note: 'flag 🇻🇳, replacement \ufffd' }, undefined, undefined],
    [{ dims: { a: '\u0000' } }, 'dims.a', 'invalid_text'],
    [{ dims: { a: 'x\udbff' } }, 'dims.a', 'invalid_text'],
  ] as const)('checks %j: %s %s', (change, field, code) => {
    const { valid, issues } = check([{ ...base, ...change }]);
    if (code === undefined) {
      expect(issues.kept).toEqual([]);
      expect(valid[0]).toBeDefined();
    } else {
      expect(valid[0]).toBeUndefined();
      expect(issues.kept[0]).toMatchObject({ line: 1, field, code });
      expect(Object.keys(observationIssueCodes)).toContain(code);
    }
  });

  it('canonicalises dims so key order does not make a new series', () => {
    const { valid } = check([
      { ...base, dims: { b: '1', a: '2' } },
      { ...base, dims: { a: '2', b: '1' } },
    ]);
    expect(valid[0]!.dims).toBe('{"a":"2","b":"1"}');
    expect(valid[1]).toMatchObject({ repeat: true });
  });

  it('escapes NUL characters and lone surrogates in the issues it keeps, which are stored with the batch', () => {
    const { issues } = check([{ ...base, indicator: 'a\u0000b\ud800🇻🇳' }]);
    expect(issues.kept[0]).toMatchObject({
      field: 'indicator',
      code: 'unknown_indicator',
      message: 'unknown indicator "a\\u0000b\\ud800🇻🇳"',
    });
  });

  it('lists every problem of a record and counts the record once', () => {
    const { issues } = check([{ indicator: 'nope', region: 'XX', observed_at: 'soon', value: 'x' }]);
    expect(issues.kept.map((i) => i.code)).toEqual([
      'unknown_indicator',
      'unknown_region',
      'invalid_timestamp',
      'invalid_value',
    ]);
    expect(issues.rejected).toBe(1);
  });

  it('rejects a key repeated with another value, naming the first line, and passes an identical repeat', () => {
    const { valid, issues } = check([
      base,
      { ...base, value: 10 },
      { ...base, value: 11 },
      // The same instant as the bare date (the end of 1 August in Ho Chi Minh City), written as a date-time.
      { ...base, observed_at: '2025-08-01T16:59:59.999Z', value: 12 },
    ]);
    expect(valid[1]).toMatchObject({ repeat: true });
    expect(valid[2]).toBeUndefined();
    expect(issues.kept.map((i) => [i.line, i.code])).toEqual([
      [3, 'duplicate_key'],
      [4, 'duplicate_key'],
    ]);
    expect(issues.kept[0]!.message).toContain('line 1');
  });

  it('reports indicators outside the scope and remembers them', () => {
    const { validator, issues } = check([base, { ...base, indicator: 'share', value: 0.5 }], ['acc*']);
    expect(issues.kept).toEqual([expect.objectContaining({ line: 2, code: 'indicator_out_of_scope' })]);
    expect([...validator.outOfScope]).toEqual(['share']);
  });

  it('keeps the first 100 issues and counts all of them', () => {
    const { issues } = check(Array.from({ length: 250 }, () => ({ ...base, region: 'XX' })));
    expect(issues.kept).toHaveLength(100);
    expect(issues.total).toBe(250);
    expect(issues.rejected).toBe(250);
  });
});

describe('indicator scopes', () => {
  it('matches ids and * patterns, and nothing else', () => {
    const scope = new IndicatorScope(['vneid_*', 'chip_id_cards_issued', '*_ratio']);
    expect(
      ['vneid_accounts_issued', 'chip_id_cards_issued', 'ehealth_records_integrated_ratio'].every((id) =>
        scope.allows(id),
      ),
    ).toBe(true);
    expect(scope.allows('chip_id_applications_received')).toBe(false);
    expect(new IndicatorScope(['a.b']).allows('axb')).toBe(false);
    expect(new IndicatorScope(undefined).allows('anything')).toBe(true);
    expect(parseScope(' vneid_*, ,Bad!')).toEqual({ patterns: ['vneid_*', 'Bad!'], invalid: ['Bad!'] });
  });
});

describe('the batch key index', () => {
  it('finds every repeated key among 200,000 and no false ones', () => {
    const index = new BatchKeyIndex();
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 200_000; i++)
      expect(index.add(i % 7, i % 3321, t0 + i * 60_000, i % 11 === 0 ? '{"a":"1"}' : '{}', i, i + 1)).toBe(
        KeySeen.first,
      );
    expect(index.add(3, 17, t0 + 17 * 60_000 + 1, '{}', 0, 0)).toBe(KeySeen.first);
    expect(index.add(17 % 7, 17, t0 + 17 * 60_000, '{}', 17, 999)).toBe(KeySeen.sameValue);
    expect(index.firstLine).toBe(18);
    expect(index.add(17 % 7, 17, t0 + 17 * 60_000, '{}', 18, 999)).toBe(KeySeen.otherValue);
    expect(index.firstValue).toBe(17);
    expect(index.count).toBe(200_001);
  });
});

describe('the hot-path instant parser', () => {
  it.each([
    '2025-08-01',
    '2025-08-01T08:30:00Z',
    '2025-08-01T08:30:00.123Z',
    '2025-08-01T08:30:00.123456789+07:00',
    '2025-08-01T08:30+0700',
    '2025-08-01T08:30:00-05:30',
    '2025-08-01T08:30:00',
    '2025-08-01 08:30:00',
    '2024-02-29',
    '2023-02-29',
    '2025-08-01T25:00:00Z',
    '2025-08-01T08:30:00+24:00',
    '2025-8-1',
    'tomorrow',
  ])('reads %s as the general reported-time parser does', (text) => {
    const parser = new InstantParser();
    for (const zone of [hcm, 'America/New_York']) {
      expect(parser.parse(text, zone)).toBe(parseReportedTime(text, zone)?.getTime() ?? Number.NaN);
      expect(parser.parse(text, zone)).toBe(parseReportedTime(text, zone)?.getTime() ?? Number.NaN); // cached
    }
  });
});
