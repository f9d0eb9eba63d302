import type { RawObservation } from '../../domain/observations/observation.js';
import { brokenRecord, jsonRecord } from './record-fields.js';
import { decodeUtf8, flagNotUtf8, NOT_UTF8 } from './utf8-text.js';

/** Longest line accepted; a record is a few hundred bytes, so a longer line is not a record. */
const MAX_LINE_BYTES = 1 << 20;

/**
 * Records from an NDJSON body (one JSON object per line), parsed as the bytes arrive: only the
 * current chunk and an unfinished line are in memory. Blank lines are skipped; a line that is not
 * JSON is a rejected record (`invalid_json`), not the end of the batch; so is a field with bytes
 * that are not UTF-8 (`invalid_utf8`).
 */
export async function* ndjsonRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawObservation> {
  let carry: Buffer | undefined;
  let line = 0;
  let first = true;
  let overlong = false;
  for await (const chunk of chunks) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    let start = 0;
    if (first) {
      if (buf.length < 3) {
        carry = buf;
        continue;
      }
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3; // a UTF-8 byte order mark
    }
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      line++;
      if (overlong) overlong = false;
      else if (nl - start > MAX_LINE_BYTES)
        yield brokenRecord(line, 'invalid_json', `line longer than ${MAX_LINE_BYTES} bytes`);
      else {
        const record = parseLine(buf, start, nl, line);
        if (record) yield record;
      }
      start = nl + 1;
    }
    if (start < buf.length) {
      if (overlong) continue;
      if (buf.length - start > MAX_LINE_BYTES) {
        // Report it once, then skip to the line's end.
        yield brokenRecord(line + 1, 'invalid_json', `line longer than ${MAX_LINE_BYTES} bytes`);
        overlong = true;
        continue;
      }
      // Copy, so the unfinished line does not pin the whole chunk.
      carry = Buffer.from(buf.subarray(start));
    }
  }
  if (carry && !overlong) {
    const record = parseLine(carry, 0, carry.length, line + 1);
    if (record) yield record;
  }
}

function parseLine(buf: Buffer, start: number, end: number, line: number): RawObservation | undefined {
  if (end > start && buf[end - 1] === 13) end--; // CRLF
  let s = start;
  while (s < end && (buf[s] === 32 || buf[s] === 9)) s++;
  if (s === end) return undefined;
  const text = decodeUtf8(buf, s, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return brokenRecord(line, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
  }
  const record = jsonRecord(value, line);
  return text.includes(NOT_UTF8) ? flagNotUtf8(record) : record;
}
