import type { RawObservation } from '../../domain/observations/observation.js';
import { InputError } from '../../errors/pacer-error.js';
import { brokenRecord } from './record-fields.js';
import { flagNotUtf8, NOT_UTF8, Utf8Stream } from './utf8-text.js';

const required = ['indicator', 'region', 'observed_at', 'value'] as const;
const DIM_PREFIX = 'dim.';
const MAX_ROW_CHARS = 1 << 20;

/** Where each known column is in the header; -1 when absent. */
interface Header {
  width: number;
  indicator: number;
  region: number;
  observedAt: number;
  value: number;
  note: number;
  dims: { name: string; at: number }[];
}

/**
 * Records from a CSV body (RFC 4180: `,` separated, `"` quoted, `""` inside quotes, LF or CRLF),
 * parsed as the bytes arrive. The header names the columns: `indicator,region,observed_at,value`
 * in any order, optionally `note` and `dim.<name>` columns. Line numbers are physical lines with
 * the header as line 1; an empty cell means the field is absent. A field with bytes that are not
 * UTF-8 is an `invalid_utf8` problem of its record.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawObservation> {
  const decoder = new Utf8Stream();
  let text = '';
  let line = 0; // physical lines consumed
  let header: Header | undefined;
  const rows = new RowReader();

  for await (const chunk of chunks) {
    text = text.length > 0 ? text + decoder.write(chunk) : decoder.write(chunk);
    if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let pos = 0;
    for (;;) {
      const row = rows.read(text, pos, false, line + 1);
      if (!row) break;
      pos = row.next;
      const at = line + 1;
      line += row.lines;
      if (!header) {
        if (row.fields.length === 1 && row.fields[0] === '') continue; // blank lines before the header
        header = parseHeader(row.fields);
        continue;
      }
      const record = toRecord(header, row, at);
      if (record) yield decoder.sawInvalid ? flagNotUtf8(record) : record;
    }
    text = pos > 0 ? text.slice(pos) : text;
    if (text.length > MAX_ROW_CHARS)
      throw new InputError(
        'a CSV row is longer than 1 MB',
        [{ line: line + 1, field: '', code: 'invalid_csv', message: 'row longer than 1 MB (an unclosed quote?)' }],
        { code: 'invalid_csv' },
      );
  }
  text += decoder.end();
  let pos = 0;
  while (pos < text.length) {
    const row = rows.read(text, pos, true, line + 1)!;
    pos = row.next;
    const at = line + 1;
    line += row.lines;
    if (!header) {
      if (row.fields.length === 1 && row.fields[0] === '') continue;
      header = parseHeader(row.fields);
      continue;
    }
    const record = toRecord(header, row, at);
    if (record) yield decoder.sawInvalid ? flagNotUtf8(record) : record;
  }
}

function parseHeader(fields: string[]): Header {
  const names = fields.map((f) => f.trim());
  const fail = (code: string, field: string, message: string): never => {
    throw new InputError(`the CSV header is wrong: ${message}`, [{ line: 1, field, code, message }], { code });
  };
  if (names.some((name) => name.includes(NOT_UTF8))) {
    fail('invalid_utf8', '', 'the header is not UTF-8: send the body as UTF-8');
  }
  const header: Header = {
    width: names.length,
    indicator: -1,
    region: -1,
    observedAt: -1,
    value: -1,
    note: -1,
    dims: [],
  };
  const seen = new Set<string>();
  names.forEach((name, at) => {
    if (seen.has(name)) fail('duplicate_column', name, `column "${name}" appears twice`);
    seen.add(name);
    if (name === 'indicator') header.indicator = at;
    else if (name === 'region') header.region = at;
    else if (name === 'observed_at') header.observedAt = at;
    else if (name === 'value') header.value = at;
    else if (name === 'note') header.note = at;
    else if (name.startsWith(DIM_PREFIX) && name.length > DIM_PREFIX.length)
      header.dims.push({ name: name.slice(DIM_PREFIX.length), at });
    else
      fail(
        'unknown_column',
        name.slice(0, 64),
        `unknown column "${name.slice(0, 64)}": the header is ${required.join(',')} ` +
          'plus optional note and dim.<name> columns',
      );
  });
  const missing = required.filter((name) => !seen.has(name));
  if (missing.length > 0)
    fail(
      'missing_column',
      missing[0]!,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${names.join(',').slice(0, 200)})`,
    );
  return header;
}

function toRecord(h: Header, row: Row, line: number): RawObservation | undefined {
  const f = row.fields;
  if (f.length === 1 && f[0] === '' && !row.quoted) return undefined; // a blank line
  if (row.problem) return brokenRecord(line, 'invalid_csv', row.problem);
  if (f.length !== h.width)
    return brokenRecord(line, 'wrong_field_count', `expected ${h.width} fields as in the header, got ${f.length}`);
  let dims: Record<string, string> | undefined;
  for (const d of h.dims) {
    const v = f[d.at]!;
    if (v !== '') (dims ??= {})[d.name] = v;
  }
  return {
    line,
    indicator: f[h.indicator],
    region: f[h.region],
    observed_at: f[h.observedAt],
    value: f[h.value],
    dims,
    note: h.note >= 0 ? f[h.note] || undefined : undefined,
    problems: undefined,
  };
}

interface Row {
  fields: string[];
  /** Where the next row starts. */
  next: number;
  /** Physical lines the row spans (quoted fields may hold line breaks). */
  lines: number;
  quoted: boolean;
  problem?: string;
}

/** Splits CSV text into rows; a row without quotes is split with one `split`, quoted ones char by char. */
class RowReader {
  /** The row starting at `pos`, or undefined when the text ends before it does (more is coming unless `final`). */
  read(text: string, pos: number, final: boolean, line: number): Row | undefined {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    if (nl === -1 && !final) return undefined;
    const quote = text.indexOf('"', pos);
    if (quote === -1 || quote >= end) {
      const rowEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      return { fields: text.slice(pos, rowEnd).split(','), next: end + 1, lines: 1, quoted: false };
    }
    return this.readQuoted(text, pos, final, line);
  }

  private readQuoted(text: string, pos: number, final: boolean, line: number): Row | undefined {
    const fields: string[] = [];
    let lines = 1;
    let i = pos;
    let problem: string | undefined;
    const n = text.length;
    for (;;) {
      // At the start of a field.
      if (text.charCodeAt(i) === 34 /* " */) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) {
            if (!final) return undefined;
            throw new InputError(
              'the CSV body ends inside a quoted field',
              [{ line, field: '', code: 'invalid_csv', message: 'a quoted field opened on this line is never closed' }],
              { code: 'invalid_csv' },
            );
          }
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k !== -1; k = value.indexOf('\n', k + 1)) lines++;
        fields.push(value);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) problem ??= `a quote inside unquoted field ${fields.length + 1}`;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      // After a field: a comma, the end of the row, or garbage.
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (i >= n) {
        if (!final) return undefined;
        return { fields, next: n, lines, quoted: true, problem };
      }
      if (c === 13 && i + 1 >= n && !final) return undefined; // a CRLF cut between chunks
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (c === 10 || c === 13) return { fields, next: i + 1, lines, quoted: true, problem };
      // Characters after a closing quote: report and skip to the end of the line.
      problem ??= `unexpected text after the closing quote of field ${fields.length}`;
      const nl = text.indexOf('\n', i);
      if (nl === -1 && !final) return undefined;
      return { fields, next: nl === -1 ? n : nl + 1, lines, quoted: true, problem };
    }
  }
}
