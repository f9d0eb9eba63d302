import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import type { RawObservation } from '../../domain/observations/observation.js';
import { brokenRecord } from '../../observations/formats/record-fields.js';
import { recordsOf, type RecordFormat } from '../../observations/formats/record-formats.js';
import { InputError } from '../../errors/pacer-error.js';
import type { FeedMapping } from '../feed-schema.js';
import { compileMapping, mappedColumns, parsePath, selectPath } from '../record-mapping.js';

/** Longest JSON document read whole (JSON bodies need the whole text; CSV and NDJSON stream). */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/**
 * Turns a source's bytes into raw records. Without a mapping the bytes must already be in one of
 * the push formats, and the push parsers read them (the same header check, the same line numbers).
 * With a mapping: CSV rows by column name (the header is checked for every mapped column before any
 * record), NDJSON lines and JSON elements (under `recordsPath`) by path.
 */
export function sourceRecords(
  format: RecordFormat,
  chunks: AsyncIterable<Buffer>,
  options: { mapping?: FeedMapping; recordsPath?: string; origin: string },
): AsyncIterable<RawObservation> {
  const { mapping } = options;
  if (!mapping) {
    if (format === 'json' && options.recordsPath)
      return mappedJson(chunks, undefined, options.recordsPath, options.origin);
    return recordsOf(format, chunks);
  }
  if (format === 'csv') return mappedCsv(chunks, mapping, options.origin);
  if (format === 'ndjson') return mappedNdjson(chunks, mapping);
  return mappedJson(chunks, mapping, options.recordsPath, options.origin);
}

async function* mappedCsv(
  chunks: AsyncIterable<Buffer>,
  mapping: FeedMapping,
  origin: string,
): AsyncGenerator<RawObservation> {
  const map = compileMapping(mapping);
  const parser = Readable.from(chunks).pipe(
    parseCsv({
      bom: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const missing = mappedColumns(mapping).filter((m) => !names.includes(m.column));
        if (missing.length > 0) {
          throw new InputError(
            `${origin}: the CSV header lacks ${missing.map((m) => `"${m.column}"`).join(', ')}`,
            missing.map((m) => ({
              line: 1,
              field: m.column,
              code: 'missing_column',
              message: `column "${m.column}" (mapped to ${m.field}) is not in the header: ${names.join(',')}`,
            })),
            { code: 'invalid_source' },
          );
        }
        return names;
      },
    }),
  );
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield map(emptyToUndefined(row.record), row.info.lines);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new InputError(
      `${origin}: CSV is malformed: ${(error as Error).message}`,
      [{ line, field: '', code: 'invalid_csv', message: (error as Error).message }],
      { code: 'invalid_source', cause: error },
    );
  }
}

async function* mappedNdjson(chunks: AsyncIterable<Buffer>, mapping: FeedMapping): AsyncGenerator<RawObservation> {
  const map = compileMapping(mapping);
  let carry = '';
  let line = 0;
  const lineRecord = (text: string): RawObservation | undefined => {
    line++;
    if (text.trim() === '') return undefined;
    try {
      return map(JSON.parse(text), line);
    } catch (error) {
      return brokenRecord(line, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
    }
  };
  for await (const chunk of chunks) {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const l of lines) {
      const r = lineRecord(l);
      if (r) yield r;
    }
  }
  const r = lineRecord(carry);
  if (r) yield r;
}

async function* mappedJson(
  chunks: AsyncIterable<Buffer>,
  mapping: FeedMapping | undefined,
  recordsPath: string | undefined,
  origin: string,
): AsyncGenerator<RawObservation> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES)
      throw new InputError(`${origin}: JSON document larger than ${MAX_JSON_BYTES} bytes; use NDJSON or CSV`, [], {
        code: 'invalid_source',
      });
    parts.push(chunk);
  }
  const text = Buffer.concat(parts).toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // V8 names the position for most errors, not for an unexpected token ("Unexpected token '<', ..."): find it then.
    const at = /position (\d+)/.exec((error as Error).message);
    const offset = at ? Number(at[1]) : jsonErrorOffset(text);
    const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
    throw new InputError(
      `${origin}: not valid JSON: ${(error as Error).message}`,
      [{ line, field: 'body', code: 'invalid_json', message: (error as Error).message }],
      { code: 'invalid_source', cause: error },
    );
  }
  const list = recordsPath ? selectPath(document, parsePath(recordsPath)) : document;
  if (!Array.isArray(list)) {
    throw new InputError(
      `${origin}: expected an array of records${recordsPath ? ` at ${recordsPath}` : ''}`,
      [
        {
          line: 1,
          field: recordsPath ?? 'body',
          code: 'invalid_json',
          message: `expected an array, got ${list === null ? 'null' : typeof list}`,
        },
      ],
      { code: 'invalid_source' },
    );
  }
  const map = mapping ? compileMapping(mapping) : undefined;
  for (let i = 0; i < list.length; i++) {
    const element: unknown = list[i];
    if (map) yield map(element, i + 1);
    else {
      const o = (element ?? {}) as Record<string, unknown>;
      yield {
        line: i + 1,
        indicator: o.indicator,
        region: o.region,
        observed_at: o.observed_at,
        value: o.value,
        dims: o.dims,
        note: o.note,
      };
    }
  }
}

function emptyToUndefined(row: Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key in row) out[key] = row[key] === '' ? undefined : row[key];
  return out;
}

/**
 * The offset of the first character that cannot continue a JSON text (the document's length when
 * it breaks off), for the errors whose message names no position; undefined if it finds none.
 * Only run on a document JSON.parse has already rejected.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new JsonErrorAt(i);
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail();
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail();
      } else i++;
    }
  };
  const scalar = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    scalar.lastIndex = i;
    if (!scalar.test(text)) fail();
    i = scalar.lastIndex;
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error instanceof JsonErrorAt) return error.offset;
    return undefined; // nested too deep for this scanner: no line rather than a wrong one
  }
}

class JsonErrorAt {
  constructor(readonly offset: number) {}
}
