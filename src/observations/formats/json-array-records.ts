import type { RawObservation } from '../../domain/observations/observation.js';
import { InputError } from '../../errors/pacer-error.js';
import { brokenRecord, jsonRecord } from './record-fields.js';
import { decodeUtf8, flagNotUtf8, NOT_UTF8 } from './utf8-text.js';

const MAX_ELEMENT_BYTES = 1 << 20;

const enum State {
  Start,
  Between,
  Element,
  End,
}

/**
 * Records from a JSON array body (`[{...}, {...}]`), parsed as the bytes arrive: a scanner finds
 * where each element ends (tracking strings, escapes and nesting) and only that element is handed
 * to `JSON.parse`, so the body is never held whole. A record's `line` is its 1-based position in
 * the array. An element that is not valid JSON is a rejected record; a body that is not an array,
 * or breaks off, fails the whole request.
 */
export async function* jsonArrayRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawObservation> {
  let state = State.Start as State;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectValue = false;
  let element = 0;
  let offset = 0; // bytes before the current chunk, for error messages
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;

  const fail = (at: number, message: string): never => {
    throw new InputError(
      `the body is not a JSON array of records: ${message}`,
      [{ line: element || 1, field: '', code: 'invalid_json', message: `${message} (byte ${at + 1})` }],
      { code: 'invalid_json' },
    );
  };
  const finish = (buf: Buffer, start: number, end: number): RawObservation => {
    element++;
    let bytes: Buffer;
    if (pending.length > 0) {
      pending.push(buf.subarray(start, end));
      bytes = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
    } else bytes = buf.subarray(start, end);
    if (tooLong) {
      tooLong = false;
      return brokenRecord(element, 'invalid_json', `element longer than ${MAX_ELEMENT_BYTES} bytes`);
    }
    const text = decodeUtf8(bytes);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return brokenRecord(element, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
    }
    const record = jsonRecord(value, element);
    return text.includes(NOT_UTF8) ? flagNotUtf8(record) : record;
  };

  for await (const buf of chunks) {
    let elementStart = 0;
    const n = buf.length;
    for (let i = 0; i < n; i++) {
      const b = buf[i]!;
      switch (state) {
        case State.Start:
          if (isSpace(b) || (offset === 0 && i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) continue;
          if (b !== 0x5b /* [ */) fail(offset + i, 'expected "[" at the start');
          state = State.Between;
          expectValue = false;
          continue;
        case State.Between:
          if (isSpace(b)) continue;
          if (b === 0x2c /* , */) {
            if (expectValue || element === 0) fail(offset + i, 'unexpected ","');
            expectValue = true;
            continue;
          }
          if (b === 0x5d /* ] */) {
            if (expectValue) fail(offset + i, 'unexpected "]" after ","');
            state = State.End;
            continue;
          }
          if (element > 0 && !expectValue) fail(offset + i, 'expected "," between elements');
          state = State.Element;
          expectValue = false;
          elementStart = i;
          depth = 0;
          i--; // read this byte again as the element's first
          continue;
        case State.Element:
          if (inString) {
            if (escaped) escaped = false;
            else if (b === 0x5c /* \ */) escaped = true;
            else if (b === 0x22 /* " */) inString = false;
            continue;
          }
          if (b === 0x22) inString = true;
          else if (b === 0x7b /* { */ || b === 0x5b /* [ */) depth++;
          else if (b === 0x7d /* } */ || b === 0x5d /* ] */) {
            if (depth === 0) {
              // A scalar element ended by the array's "]".
              yield finish(buf, elementStart, i);
              state = State.Between;
              i--;
              continue;
            }
            if (--depth === 0) {
              yield finish(buf, elementStart, i + 1);
              state = State.Between;
            }
          } else if (depth === 0 && b === 0x2c) {
            yield finish(buf, elementStart, i);
            state = State.Between;
            i--;
          }
          continue;
        case State.End:
          if (!isSpace(b)) fail(offset + i, 'unexpected data after the closing "]"');
      }
    }
    if (state === State.Element) {
      // The element continues in the next chunk.
      const rest = buf.subarray(elementStart);
      pendingBytes += rest.length;
      if (pendingBytes > MAX_ELEMENT_BYTES) {
        tooLong = true;
        pending = [];
      } else pending.push(Buffer.from(rest));
    }
    offset += n;
  }
  if (state === State.Start) return; // an empty body: no records
  if (state !== State.End) fail(offset, 'the array is not closed');
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
