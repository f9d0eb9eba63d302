import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestApi, type IngestApi, readJson } from '../support/ingest-api.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();

/** One bad request: what is sent, and the status, error code and (for a record) line and issue code expected. */
interface BadCase {
  name: string;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  mode?: string;
  token?: 'none' | 'bogus' | 'reader' | 'narrow';
  status: number;
  code: string;
  /** The first issue's line and code, when the problem is in a record or the header. */
  line?: number;
  issue?: string;
  field?: string;
}

const ok = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ indicator: 'vneid_accounts_issued', region: '79', observed_at: '2025-08-01', value: 100, ...over });
const okFor = (n: number) => ok({ observed_at: `2025-08-${String(n).padStart(2, '0')}` });
/** NDJSON: a valid line, then the bad one on line 2. */
const second = (bad: Record<string, unknown> | string) =>
  `${okFor(1)}\n${typeof bad === 'string' ? bad : ok({ observed_at: '2025-08-02', ...bad })}\n`;
const without = (field: string) => {
  const o: Record<string, unknown> = {
    indicator: 'vneid_accounts_issued',
    region: '79',
    observed_at: '2025-08-02',
    value: 1,
  };
  delete o[field];
  return `${okFor(1)}\n${JSON.stringify(o)}\n`;
};
const invalid = (name: string, body: string, line: number, issue: string, field?: string): BadCase => ({
  name,
  body,
  status: 400,
  code: 'invalid_batch',
  line,
  issue,
  field,
});
const csv = (text: string) => ({ body: text, contentType: 'text/csv' });
const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
const nineDims = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`d${i}`, 'x']));

/** "Hà Nôi" as Latin-1 bytes (0xe0 and 0xf4 are not UTF-8): {@link encode} sends text between U+FFFF marks so. */
const latin1 = '\uffffH\u00e0 N\u00f4i\uffff';
/** A body as bytes: UTF-8, except the parts between U+FFFF marks, which are Latin-1. */
const encode = (body: string | Buffer): string | Buffer => {
  if (typeof body !== 'string' || !body.includes('\uffff')) return body;
  return Buffer.concat(body.split('\uffff').map((part, i) => Buffer.from(part, i % 2 === 1 ? 'latin1' : 'utf8')));
};
/** A 400 invalid_batch whose first issue is on `line`, with `issue` for `field`. */
const rejects = (line: number, issue: string, field: string) => ({
  status: 400,
  code: 'invalid_batch',
  line,
  issue,
  field,
});
/** A CSV header with a note column and one valid row (line 2). */
const csvNoted = 'indicator,region,observed_at,value,note\nvneid_accounts_issued,79,2025-08-01,1,ok\n';

const cases: BadCase[] = [
  invalid('an unknown indicator', second({ indicator: 'vneid_acounts_issued' }), 2, 'unknown_indicator', 'indicator'),
  invalid('an unknown region code', second({ region: '99999' }), 2, 'unknown_region', 'region'),
  invalid(
    'a region that had ended by the date (Binh Duong after the 2025 merger)',
    second({ region: '74' }),
    2,
    'region_not_valid_at',
    'region',
  ),
  invalid(
    'a region that did not exist yet on the date (a 2025 commune in 2024)',
    second({ region: '11948', observed_at: '2024-01-01' }),
    2,
    'region_not_valid_at',
    'region',
  ),
  invalid('a value that is text', second({ value: 'abc' }), 2, 'invalid_value', 'value'),
  invalid('a value with a thousands separator', second({ value: '1,000' }), 2, 'invalid_value', 'value'),
  invalid('a value of NaN', second({ value: 'NaN' }), 2, 'non_finite_value', 'value'),
  invalid('a value of Infinity', second({ value: '-Infinity' }), 2, 'non_finite_value', 'value'),
  invalid(
    'a number too large for a double',
    second(`{"indicator":"vneid_accounts_issued","region":"79","observed_at":"2025-08-02","value":1e999}`),
    2,
    'non_finite_value',
    'value',
  ),
  invalid('a boolean value', second({ value: true }), 2, 'invalid_value', 'value'),
  invalid('a null value', second({ value: null }), 2, 'missing_field', 'value'),
  invalid(
    'a ratio above 1',
    second({ indicator: 'ehealth_records_integrated_ratio', region: 'VN', value: 1.5 }),
    2,
    'ratio_out_of_range',
    'value',
  ),
  invalid(
    'a negative ratio',
    second({ indicator: 'ehealth_records_integrated_ratio', region: 'VN', value: -0.1 }),
    2,
    'ratio_out_of_range',
    'value',
  ),
  invalid(
    'a milestone of 0.5',
    second({ indicator: 'task_mps_national_data_center_scheme', region: 'VN', value: 0.5 }),
    2,
    'invalid_milestone',
    'value',
  ),
  invalid(
    'a milestone of 2',
    second({ indicator: 'task_mps_national_data_center_scheme', region: 'VN', value: 2 }),
    2,
    'invalid_milestone',
    'value',
  ),
  invalid('a negative cumulative count', second({ value: -1 }), 2, 'negative_count', 'value'),
  invalid('a month 13', second({ observed_at: '2025-13-01' }), 2, 'invalid_timestamp', 'observed_at'),
  invalid('30 February', second({ observed_at: '2025-02-30' }), 2, 'invalid_timestamp', 'observed_at'),
  invalid('a word for a date', second({ observed_at: 'yesterday' }), 2, 'invalid_timestamp', 'observed_at'),
  invalid(
    'a date-time with an hour of 24',
    second({ observed_at: '2025-08-02T24:00:00Z' }),
    2,
    'invalid_timestamp',
    'observed_at',
  ),
  invalid('a time a day in the future', second({ observed_at: tomorrow }), 2, 'future_timestamp', 'observed_at'),
  invalid('a date as a number', second({ observed_at: 20250802 }), 2, 'invalid_type', 'observed_at'),
  invalid('a region code as a number', second({ region: 79 }), 2, 'invalid_type', 'region'),
  invalid('a missing indicator', without('indicator'), 2, 'missing_field', 'indicator'),
  invalid('a missing region', without('region'), 2, 'missing_field', 'region'),
  invalid('a missing observed_at', without('observed_at'), 2, 'missing_field', 'observed_at'),
  invalid('a missing value', without('value'), 2, 'missing_field', 'value'),
  invalid(
    'a misspelt field',
    second(`{"indicator":"vneid_accounts_issued","region":"79","observed_at":"2025-08-02","valeu":1,"value":1}`),
    2,
    'unknown_field',
    'valeu',
  ),
  invalid('nine dims', second({ dims: nineDims }), 2, 'too_many_dims', 'dims'),
  invalid(
    'a dims value of 201 characters',
    second({ dims: { level: 'x'.repeat(201) } }),
    2,
    'dim_too_long',
    'dims.level',
  ),
  invalid('a dims key of 65 characters', second({ dims: { ['k'.repeat(65)]: 'x' } }), 2, 'dim_too_long'),
  invalid('dims that are not an object', second({ dims: 'level=2' }), 2, 'invalid_dims', 'dims'),
  invalid('a dims value that is a number', second({ dims: { level: 2 } }), 2, 'invalid_dims', 'dims.level'),
  invalid('a note of 1001 characters', second({ note: 'n'.repeat(1001) }), 2, 'note_too_long', 'note'),
  invalid('a note that is a number', second({ note: 5 }), 2, 'invalid_note', 'note'),
  invalid(
    'the same key twice with different values',
    `${okFor(1)}\n${okFor(2)}\n${ok({ observed_at: '2025-08-01', value: 101 })}\n`,
    3,
    'duplicate_key',
    'value',
  ),
  invalid(
    'the same key twice, once as a date-time at the same instant',
    // 2025-08-01 is the end of that day in Asia/Ho_Chi_Minh: 16:59:59.999 UTC.
    `${okFor(1)}\n${ok({ observed_at: '2025-08-01T16:59:59.999Z', value: 7 })}\n`,
    2,
    'duplicate_key',
    'value',
  ),
  invalid('an NDJSON line that is not JSON', second('{"indicator": "vneid_accounts_issued", '), 2, 'invalid_json'),
  invalid(
    'an NDJSON line that is an array',
    second('["vneid_accounts_issued","79","2025-08-02",1]'),
    2,
    'invalid_record',
  ),
  invalid(
    'an error after a blank line keeps its physical line number',
    `${okFor(1)}\n\n${ok({ region: 'XX' })}\n`,
    3,
    'unknown_region',
    'region',
  ),
  invalid('a NUL character in a note', second({ note: 'before\u0000after' }), 2, 'invalid_text', 'note'),
  invalid('a NUL character in a dims value', second({ dims: { level: '2\u0000' } }), 2, 'invalid_text', 'dims.level'),
  invalid('a lone surrogate in a dims value', second({ dims: { level: 'x\ud800' } }), 2, 'invalid_text', 'dims.level'),
  invalid('a lone surrogate in a note', second({ note: 'x\udc00y' }), 2, 'invalid_text', 'note'),
  invalid('a NUL character in an indicator id', second({ indicator: 'vneid\u0000' }), 2, 'unknown_indicator'),
  invalid(
    'a lone surrogate in a field name',
    second(`{"indicator":"vneid_accounts_issued","region":"79","observed_at":"2025-08-02","value":1,"\\ud800":1}`),
    2,
    'unknown_field',
  ),
  invalid('Latin-1 bytes in an NDJSON note', second({ note: latin1 }), 2, 'invalid_utf8', 'note'),
  invalid('Latin-1 bytes in NDJSON dims', second({ dims: { place: latin1 } }), 2, 'invalid_utf8', 'dims.place'),
  {
    name: 'a CSV without the value column',
    ...csv('indicator,region,observed_at\nvneid_accounts_issued,79,2025-08-01\n'),
    status: 400,
    code: 'missing_column',
    line: 1,
    issue: 'missing_column',
    field: 'value',
  },
  {
    name: 'a CSV with an unknown column',
    ...csv('indicator,region,observed_at,value,unit\nvneid_accounts_issued,79,2025-08-01,1,accounts\n'),
    status: 400,
    code: 'unknown_column',
    line: 1,
    issue: 'unknown_column',
    field: 'unit',
  },
  {
    name: 'a CSV with a column twice',
    ...csv('indicator,region,observed_at,value,value\nvneid_accounts_issued,79,2025-08-01,1,1\n'),
    status: 400,
    code: 'duplicate_column',
    line: 1,
    issue: 'duplicate_column',
  },
  {
    name: 'a CSV header with the wrong separator',
    ...csv('indicator;region;observed_at;value\nvneid_accounts_issued;79;2025-08-01;1\n'),
    status: 400,
    code: 'unknown_column',
    line: 1,
  },
  {
    name: 'a CSV row with a missing field',
    ...csv(
      'indicator,region,observed_at,value\n' +
        'vneid_accounts_issued,79,2025-08-01,1\nvneid_accounts_issued,79,2025-08-02\n',
    ),
    status: 400,
    code: 'invalid_batch',
    line: 3,
    issue: 'wrong_field_count',
  },
  {
    name: 'a CSV row with an empty value',
    ...csv('indicator,region,observed_at,value\nvneid_accounts_issued,79,2025-08-01,\n'),
    status: 400,
    code: 'invalid_batch',
    line: 2,
    issue: 'missing_field',
    field: 'value',
  },
  {
    name: 'a CSV value with a decimal comma',
    ...csv('indicator,region,observed_at,value\nvneid_accounts_issued,79,2025-08-01,"1,5"\n'),
    status: 400,
    code: 'invalid_batch',
    line: 2,
    issue: 'invalid_value',
    field: 'value',
  },
  {
    name: 'a CSV row with text after a closing quote',
    ...csv('indicator,region,observed_at,value\nvneid_accounts_issued,"79"x,2025-08-01,1\n'),
    status: 400,
    code: 'invalid_batch',
    line: 2,
    issue: 'invalid_csv',
  },
  {
    name: 'a CSV quote that is never closed',
    ...csv(
      'indicator,region,observed_at,value\n' +
        'vneid_accounts_issued,79,2025-08-01,1\nvneid_accounts_issued,"79,2025-08-02,1\n',
    ),
    status: 400,
    code: 'invalid_csv',
    line: 3,
    issue: 'invalid_csv',
  },
  {
    name: 'a CSV error after a quoted line break keeps the physical line',
    ...csv(
      'indicator,region,observed_at,value,note\n' +
        'vneid_accounts_issued,79,2025-08-01,1,"two\nlines"\nvneid_accounts_issued,XX,2025-08-02,1,\n',
    ),
    status: 400,
    code: 'invalid_batch',
    line: 4,
    issue: 'unknown_region',
  },
  {
    name: 'a NUL byte in a CSV note',
    ...csv(`${csvNoted}vneid_accounts_issued,79,2025-08-02,1,a\u0000b\n`),
    ...rejects(3, 'invalid_text', 'note'),
  },
  {
    name: 'a NUL byte in a CSV dims value',
    ...csv('indicator,region,observed_at,value,dim.level\nvneid_accounts_issued,79,2025-08-02,1,\u00002\n'),
    ...rejects(2, 'invalid_text', 'dims.level'),
  },
  {
    name: 'Latin-1 bytes in a CSV note',
    ...csv(`${csvNoted}vneid_accounts_issued,79,2025-08-02,1,${latin1}\n`),
    ...rejects(3, 'invalid_utf8', 'note'),
  },
  {
    name: 'Latin-1 bytes in a quoted CSV dims value',
    ...csv(`indicator,region,observed_at,value,dim.place\nvneid_accounts_issued,79,2025-08-02,1,"${latin1}, VN"\n`),
    ...rejects(2, 'invalid_utf8', 'dims.place'),
  },
  {
    name: 'Latin-1 bytes in a JSON array element',
    body: `[${ok()},${ok({ observed_at: '2025-08-02', note: latin1 })}]`,
    contentType: 'application/json',
    ...rejects(2, 'invalid_utf8', 'note'),
  },
  {
    name: 'a JSON body that is an object, not an array',
    body: ok(),
    contentType: 'application/json',
    status: 400,
    code: 'invalid_json',
    line: 1,
  },
  {
    name: 'a JSON array cut off',
    body: `[${ok()},${okFor(2)}`,
    contentType: 'application/json',
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'a JSON array with text after it',
    body: `[${ok()}] and more`,
    contentType: 'application/json',
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'a JSON array with a number for a record',
    body: `[${ok()}, 42]`,
    contentType: 'application/json',
    status: 400,
    code: 'invalid_batch',
    line: 2,
    issue: 'invalid_record',
  },
  {
    name: 'a JSON array element that is broken JSON',
    body: `[${ok()}, {"indicator": tru}]`,
    contentType: 'application/json',
    status: 400,
    code: 'invalid_batch',
    line: 2,
    issue: 'invalid_json',
  },
  { name: 'an empty body', body: '', status: 400, code: 'empty_body' },
  { name: 'an empty JSON array', body: '[]', contentType: 'application/json', status: 400, code: 'empty_body' },
  {
    name: 'a CSV with only its header',
    ...csv('indicator,region,observed_at,value\n'),
    status: 400,
    code: 'empty_body',
  },
  {
    name: 'a plain-text Content-Type',
    body: ok(),
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a charset other than UTF-8',
    ...csv('indicator,region,observed_at,value\n'),
    contentType: 'text/csv; charset=iso-8859-1',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a Content-Encoding other than gzip',
    body: ok(),
    headers: { 'content-encoding': 'br' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a gzip header on a plain body',
    body: `${ok()}\n`,
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    code: 'invalid_gzip',
  },
  { name: 'a body over the size limit', body: `${okFor(1)}\n`.repeat(1500), status: 413, code: 'body_too_large' },
  {
    name: 'a gzip body over the size limit once decompressed',
    body: gzipSync(`${okFor(1)}\n`.repeat(1500)),
    headers: { 'content-encoding': 'gzip' },
    status: 413,
    code: 'body_too_large',
  },
  { name: 'an unknown mode', body: `${ok()}\n`, mode: 'lenient', status: 400, code: 'invalid_request' },
  {
    name: 'an Idempotency-Key with a space',
    body: `${ok()}\n`,
    headers: { 'idempotency-key': 'my key' },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'no token', body: `${ok()}\n`, token: 'none', status: 401, code: 'unauthorized' },
  { name: 'a token that does not exist', body: `${ok()}\n`, token: 'bogus', status: 401, code: 'invalid_token' },
  { name: 'a reader token', body: `${ok()}\n`, token: 'reader', status: 403, code: 'forbidden_role' },
  {
    name: 'an indicator outside the token scope, even in partial mode',
    body: second({ indicator: 'chip_id_cards_issued' }),
    token: 'narrow',
    mode: 'partial',
    status: 403,
    code: 'indicator_out_of_scope',
  },
];

describe.each(backends)('the bad-input corpus on %s', (backend) => {
  let api: IngestApi;
  const tokens: Record<string, string | null> = {};
  beforeAll(async () => {
    api = await startIngestApi(backend, 'bad_input', { PACER_INGEST_MAX_BYTES: '64k' });
    tokens.writer = await api.token('writer');
    tokens.reader = await api.token('reader');
    tokens.narrow = await api.token('writer', ['vneid_*']);
    tokens.bogus = 'pcr_bogus';
    tokens.none = null;
    // Something stored already, so "unchanged" is checked against data that could be lost.
    expect((await api.push(`${okFor(1)}\n${okFor(3)}\n`, { token: tokens.writer })).status).toBe(200);
  });
  afterAll(() => api.close());

  it('has at least 40 cases, each a different problem', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('refuses $name with $status $code, naming the line, and leaves the table unchanged', async (c) => {
    const before = await api.fingerprint();
    const token = tokens[c.token ?? 'writer'];
    const { contentType, mode, headers } = c;
    const response = await api.push(encode(c.body), { token, contentType, mode, headers });
    const body = await readJson(response);
    expect({ status: response.status, code: body.error?.code }).toEqual({ status: c.status, code: c.code });
    expect(body.error.message).toEqual(expect.any(String));
    if (c.line !== undefined) expect(body.error.issues[0].line).toBe(c.line);
    if (c.issue !== undefined) expect(body.error.issues[0].code).toBe(c.issue);
    if (c.field !== undefined) expect(body.error.issues[0].field).toBe(c.field);
    expect(await api.fingerprint()).toEqual(before);
  });

  it('writes exactly the valid lines of the same records in partial mode', async () => {
    const records = cases.filter(
      (c) => c.code === 'invalid_batch' && !c.contentType && typeof c.body === 'string' && c.issue !== 'duplicate_key',
    );
    // Each case's bad line, moved to a day of its own so that valid lines never collide.
    const bad = records.map((c, i) => {
      const line = (c.body as string).trimEnd().split('\n')[c.line! - 1]!;
      return line.replace('2025-08-02', `2025-09-${String((i % 28) + 1).padStart(2, '0')}`);
    });
    const good = Array.from({ length: 30 }, (_, i) =>
      ok({ region: 'VN', observed_at: `2025-10-${String(i + 1).padStart(2, '0')}`, value: i }),
    );
    const lines = bad.flatMap((b, i) => (good[i] ? [good[i]!, b] : [b]));
    const before = await api.fingerprint();
    const response = await api.push(encode(`${lines.join('\n')}\n`), { token: tokens.writer, mode: 'partial' });
    expect(response.status).toBe(200);
    const summary = await readJson(response);
    expect(summary).toMatchObject({ received: lines.length, inserted: good.length, rejected: bad.length });
    expect(new Set(summary.errors.map((e: { line: number }) => e.line)).size).toBe(bad.length);
    const stored = await api.database.db
      .selectFrom('observations')
      .select('value')
      .where('batch_id', '=', summary.batch_id)
      .orderBy('value')
      .execute();
    expect(stored.map((r) => r.value)).toEqual(good.map((_, i) => i));
    expect((await api.fingerprint()).observations).toBe(before.observations + good.length);
  });

  it('writes exactly the valid CSV rows in partial mode despite NUL and non-UTF-8 bytes, keeping U+FFFD', async () => {
    const kept = 'Hồ Chí Minh \ufffd (a replacement character the source really sent)';
    const row = (day: number, value: number, note: string, level = '') =>
      `vneid_accounts_issued,VN,2025-11-0${day},${value},${note},${level}\n`;
    const body = encode(
      'indicator,region,observed_at,value,note,dim.level\n' +
        row(1, 0, 'ok') +
        row(2, 100, 'a\u0000b') +
        row(3, 1, kept) +
        row(4, 100, 'ok', latin1) +
        row(5, 2, 'ok', '2') +
        row(6, 100, '\uffff\u00ed\u00a0\u0080\uffff') + // a UTF-16 surrogate encoded as if UTF-8 (CESU-8): not UTF-8
        row(7, 3, 'ok'),
    );
    const before = await api.fingerprint();
    const response = await api.push(body, { token: tokens.writer, contentType: 'text/csv', mode: 'partial' });
    const summary = await readJson(response);
    expect(response.status).toBe(200);
    expect(summary).toMatchObject({ received: 7, inserted: 4, rejected: 3 });
    const where = (e: { line: number; field: string; code: string }) => [e.line, e.field, e.code];
    expect(summary.errors.map(where)).toEqual([
      [3, 'note', 'invalid_text'],
      [5, 'dims.level', 'invalid_utf8'],
      [7, 'note', 'invalid_utf8'],
    ]);
    const stored = await api.database.db
      .selectFrom('observations')
      .select(['value', 'note'])
      .where('batch_id', '=', summary.batch_id)
      .orderBy('value')
      .execute();
    expect(stored).toEqual([
      { value: 0, note: 'ok' },
      { value: 1, note: kept },
      { value: 2, note: 'ok' },
      { value: 3, note: 'ok' },
    ]);
    expect((await api.fingerprint()).observations).toBe(before.observations + 4);
  });
});
