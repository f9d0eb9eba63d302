import { describe, expect, it } from 'vitest';
import type { RawObservation } from '../../src/domain/observations/observation.js';
import { InputError } from '../../src/errors/pacer-error.js';
import {
  formatOfContentType,
  formatOfFileName,
  recordsOf,
  type RecordFormat,
} from '../../src/observations/formats/record-formats.js';

async function parse(format: RecordFormat, pieces: Buffer[]): Promise<RawObservation[]> {
  const out: RawObservation[] = [];
  for await (const r of recordsOf(
    format,
    (async function* () {
      yield* pieces;
    })(),
  ))
    out.push(r);
  return out;
}

/** Every way of cutting the body in two, plus one byte at a time: the records must not depend on where chunks end. */
async function expectChunkingInvariant(format: RecordFormat, text: string | Buffer): Promise<RawObservation[]> {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const whole = await parse(format, [body]);
  for (let cut = 1; cut < body.length; cut++)
    expect(await parse(format, [body.subarray(0, cut), body.subarray(cut)])).toEqual(whole);
  expect(
    await parse(
      format,
      [...body].map((b) => Buffer.from([b])),
    ),
  ).toEqual(whole);
  return whole;
}

describe('NDJSON records', () => {
  it(
    'parses lines wherever the chunks end, ' + 'skipping blank lines and a BOM, keeping physical line numbers',
    async () => {
      const text =
        '\ufeff{"indicator":"a","region":"79","observed_at":"2025-08-01","value":1,"note":"Hồ Chí Minh"}\r\n\n  \n' +
        '{"indicator":"b","value":"2","dims":{"k":"v"}}\n{"broken\n[1,2]\n{"x":1,"value":3}';
      const records = await expectChunkingInvariant('ndjson', text);
      expect(records).toEqual([
        {
          line: 1,
          indicator: 'a',
          region: '79',
          observed_at: '2025-08-01',
          value: 1,
          dims: undefined,
          note: 'Hồ Chí Minh',
          problems: undefined,
        },
        {
          line: 4,
          indicator: 'b',
          region: undefined,
          observed_at: undefined,
          value: '2',
          dims: { k: 'v' },
          note: undefined,
          problems: undefined,
        },
        { line: 5, problems: [expect.objectContaining({ code: 'invalid_json' })] },
        { line: 6, problems: [expect.objectContaining({ code: 'invalid_record' })] },
        expect.objectContaining({
          line: 7,
          value: 3,
          problems: [expect.objectContaining({ code: 'unknown_field', field: 'x' })],
        }),
      ]);
    },
  );

  it('reports a line longer than 1 MB as one bad record and goes on', async () => {
    const records = await parse('ndjson', [
      Buffer.from(`{"note":"${'x'.repeat(1_100_000)}"}\n`),
      Buffer.from('{"value":1}\n'),
    ]);
    expect(records.map((r) => [r.line, r.problems?.[0]?.code ?? 'ok'])).toEqual([
      [1, 'invalid_json'],
      [2, 'ok'],
    ]);
  });
});

describe('JSON array records', () => {
  it(
    'finds each element wherever the chunks end, ' + 'through strings with brackets, commas and escaped quotes',
    async () => {
      const text =
        ' [ {"indicator":"a","note":"a ] and a } and \\" and , too","value":1} ,\n' +
        '{"value":2,"dims":{"k":"[v]"}}, 7, {"value": tru} ] ';
      const records = await expectChunkingInvariant('json', text);
      expect(records.map((r) => [r.line, r.value ?? null, r.problems?.[0]?.code ?? 'ok'])).toEqual([
        [1, 1, 'ok'],
        [2, 2, 'ok'],
        [3, null, 'invalid_record'],
        [4, null, 'invalid_json'],
      ]);
      expect(records[0]!.note).toBe('a ] and a } and " and , too');
    },
  );

  it.each([
    ['{"value":1}', 'expected "["'],
    ['[{"value":1}', 'not closed'],
    ['[{"value":1}] x', 'after the closing'],
    ['[{"value":1},,{"value":2}]', 'unexpected ","'],
    ['[{"value":1} {"value":2}]', 'expected ","'],
    ['[{"value":1},]', 'after ","'],
  ])('fails the whole body %s', async (text, message) => {
    const error = await parse('json', [Buffer.from(text)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid_json');
    expect((error as InputError).issues[0]!.message).toContain(message);
  });

  it('yields nothing for an empty body or an empty array', async () => {
    expect(await parse('json', [Buffer.from('  ')])).toEqual([]);
    expect(await parse('json', [Buffer.from('[ ]')])).toEqual([]);
  });
});

describe('CSV records', () => {
  it(
    'parses RFC 4180 CSV wherever the chunks end: ' +
      'quotes, doubled quotes, line breaks in quotes, CRLF, a BOM, dims columns',
    async () => {
      const text =
        '\ufeffvalue,indicator,region,observed_at,dim.level,note\r\n1,a,79,2025-08-01,,\r\n' +
        '"2",b,"7,9",2025-08-02,2,"say ""hi""\nagain"\r\n\r\n3,c,01,2025-08-03,3,é\n4,d,01\n5,e,01,2025-08-05,,"x"y\n';
      const records = await expectChunkingInvariant('csv', text);
      expect(records).toEqual([
        {
          line: 2,
          indicator: 'a',
          region: '79',
          observed_at: '2025-08-01',
          value: '1',
          dims: undefined,
          note: undefined,
          problems: undefined,
        },
        {
          line: 3,
          indicator: 'b',
          region: '7,9',
          observed_at: '2025-08-02',
          value: '2',
          dims: { level: '2' },
          note: 'say "hi"\nagain',
          problems: undefined,
        },
        {
          line: 6,
          indicator: 'c',
          region: '01',
          observed_at: '2025-08-03',
          value: '3',
          dims: { level: '3' },
          note: 'é',
          problems: undefined,
        },
        { line: 7, problems: [expect.objectContaining({ code: 'wrong_field_count' })] },
        { line: 8, problems: [expect.objectContaining({ code: 'invalid_csv' })] },
      ]);
    },
  );

  it.each([
    ['indicator,region,observed_at\n', 'missing_column'],
    ['indicator,region,observed_at,value,colour\n', 'unknown_column'],
    ['indicator,region,observed_at,value,region\n', 'duplicate_column'],
    ['indicator,region,observed_at,value,dim.\n', 'unknown_column'],
  ])('refuses the header %j with %s on line 1', async (text, code) => {
    const error = await parse('csv', [Buffer.from(text)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(code);
    expect((error as InputError).issues[0]!.line).toBe(1);
  });

  it('fails on a quote still open at the end of the body, naming its line', async () => {
    const error = await parse('csv', [Buffer.from('indicator,region,observed_at,value\na,"79,2025-08-01,1\n')]).catch(
      (e: unknown) => e,
    );
    expect((error as InputError).code).toBe('invalid_csv');
    expect((error as InputError).issues[0]!.line).toBe(2);
  });
});

describe('text that is not UTF-8', () => {
  /** "Hà Nôi" in Latin-1, a surrogate encoded as if it were UTF-8, and a character cut off by the body's end. */
  const latin1 = Buffer.from('H\u00e0 N\u00f4i', 'latin1');
  const surrogate = Buffer.from([0xed, 0xa0, 0x80]);
  /** Real characters of 2, 3 and 4 bytes, U+FFFD among them: whole whatever the chunks. */
  const real = 'Hồ Chí Minh \ufffd 🇻🇳';
  const bytes = (...parts: (string | Buffer | (string | Buffer)[])[]) =>
    Buffer.concat(parts.flat().map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  const flagged = (records: RawObservation[]) =>
    records.map((r) => [r.line, r.problems?.map((p) => `${p.field} ${p.code}`) ?? []]);

  it('flags the CSV fields holding non-UTF-8 bytes wherever the chunks end, and keeps real characters', async () => {
    const body = bytes(
      'indicator,region,observed_at,value,note,dim.place\n',
      `a,79,2025-08-01,1,${real},x\n`,
      ['a,79,2025-08-02,1,', latin1, ',x\n'],
      ['a,79,2025-08-03,1,ok,"', surrogate, '"\n'],
      'a,79,2025-08-04,1,ok,x\n',
    );
    const records = await expectChunkingInvariant('csv', body);
    expect(flagged(records)).toEqual([
      [2, []],
      [3, ['note invalid_utf8']],
      [4, ['dims.place invalid_utf8']],
      [5, []],
    ]);
    expect(records[0]!.note).toBe(real);
    expect(records[1]!.note).toBe('H\ufffd N\ufffdi');
  });

  it('flags a character cut off by the end of a CSV body', async () => {
    const cut = Buffer.from('ồ').subarray(0, 2);
    const body = bytes('indicator,region,observed_at,value,note\na,79,2025-08-01,1,', cut);
    const records = await expectChunkingInvariant('csv', body);
    expect(flagged(records)).toEqual([[2, ['note invalid_utf8']]]);
  });

  it('flags NDJSON and JSON array fields with non-UTF-8 bytes wherever the chunks end, keeping real text', async () => {
    const lines = [
      bytes(`{"value":1,"note":"${real}"}`),
      bytes('{"value":2,"note":"', latin1, '"}'),
      bytes('{"value":3,"dims":{"p":"', surrogate, '"}}'),
    ];
    const ndjson = await expectChunkingInvariant('ndjson', bytes(...lines.flatMap((l) => [l, '\n'])));
    const json = await expectChunkingInvariant('json', bytes('[', lines[0]!, ',', lines[1]!, ',', lines[2]!, ']'));
    for (const records of [ndjson, json]) {
      expect(flagged(records)).toEqual([
        [1, []],
        [2, ['note invalid_utf8']],
        [3, ['dims.p invalid_utf8']],
      ]);
      expect(records[0]!.note).toBe(real);
    }
  });
});

describe('format negotiation', () => {
  it('maps Content-Type (UTF-8 only) and file names to formats', () => {
    expect(formatOfContentType('text/csv; charset=UTF-8')).toBe('csv');
    expect(formatOfContentType('application/x-ndjson')).toBe('ndjson');
    expect(formatOfContentType('Application/JSON')).toBe('json');
    expect(formatOfContentType('text/csv; charset=latin1')).toBeUndefined();
    expect(formatOfContentType('text/plain')).toBeUndefined();
    expect(formatOfContentType(undefined)).toBeUndefined();
    expect(['a.csv', 'a.ndjson', 'a.jsonl.gz', 'a.json', 'a.txt'].map(formatOfFileName)).toEqual([
      'csv',
      'ndjson',
      'ndjson',
      'json',
      undefined,
    ]);
  });
});
