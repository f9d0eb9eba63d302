import { isUtf8 } from 'node:buffer';
import type { RawObservation, RecordProblem } from '../../domain/observations/observation.js';

/**
 * What stands for each byte that is not UTF-8 in text decoded here: a lone low surrogate, which
 * decoding valid UTF-8 can never produce. (U+FFFD, what decoders usually put there, is a real
 * character a source may send, so it cannot tell bad bytes from good ones.)
 */
export const NOT_UTF8 = '\udfff';

/**
 * `bytes[start, end)` as text, each byte that is not part of a valid UTF-8 sequence decoded as
 * {@link NOT_UTF8}. Valid input costs one `toString` and a scan for U+FFFD; only text holding
 * U+FFFD has its bytes checked, and only invalid bytes take the slow path.
 */
export function decodeUtf8(bytes: Buffer, start = 0, end = bytes.length): string {
  const text = bytes.toString('utf8', start, end);
  if (!text.includes('\ufffd') || isUtf8(bytes.subarray(start, end))) return text;
  let out = '';
  let from = start;
  for (let i = start; i < end;) {
    const n = sequenceLength(bytes, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    out += bytes.toString('utf8', from, i) + NOT_UTF8;
    from = ++i;
  }
  return out + bytes.toString('utf8', from, end);
}

/**
 * A UTF-8 decoder for a body arriving in chunks: a character cut between two chunks is decoded
 * whole, once the rest of it has arrived.
 */
export class Utf8Stream {
  private tail: Buffer | undefined;
  /** Some byte so far was not UTF-8: the text holds {@link NOT_UTF8}. */
  sawInvalid = false;

  write(chunk: Buffer): string {
    const bytes = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const end = completeLength(bytes);
    // Copy, so the unfinished character does not pin the whole chunk.
    this.tail = end < bytes.length ? Buffer.from(bytes.subarray(end)) : undefined;
    return this.decoded(bytes, end);
  }

  /** The rest: an unfinished character at the end of the body is not UTF-8. */
  end(): string {
    const tail = this.tail;
    this.tail = undefined;
    return tail ? this.decoded(tail, tail.length) : '';
  }

  private decoded(bytes: Buffer, end: number): string {
    const text = decodeUtf8(bytes, 0, end);
    if (!this.sawInvalid && text.includes(NOT_UTF8)) this.sawInvalid = true;
    return text;
  }
}

const fields = ['indicator', 'region', 'observed_at', 'value', 'note'] as const;

/**
 * The record with an `invalid_utf8` problem for each field whose text held bytes that are not
 * UTF-8 (decoded by {@link decodeUtf8}); those bytes become U+FFFD in the field, for the message.
 * Call it only for records from text that held {@link NOT_UTF8}.
 */
export function flagNotUtf8(record: RawObservation): RawObservation {
  let problems: RecordProblem[] | undefined;
  const flag = (field: string, text: string): string => {
    const shown = text.replaceAll(NOT_UTF8, '\ufffd');
    const excerpt = shown.length > 80 ? `${shown.slice(0, 80)}…` : shown;
    const message = `not UTF-8 ("${excerpt}", bad bytes shown as \ufffd): send UTF-8, not Latin-1 or Windows-1252`;
    (problems ??= [...(record.problems ?? [])]).push({ field, code: 'invalid_utf8', message });
    return shown;
  };
  const out = { ...record };
  for (const field of fields) {
    const v = record[field];
    if (typeof v === 'string' && v.includes(NOT_UTF8)) out[field] = flag(field, v);
  }
  if (typeof record.dims === 'object' && record.dims !== null && !Array.isArray(record.dims)) {
    const dims: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record.dims)) {
      const name = key.includes(NOT_UTF8) ? flag('dims', key) : key;
      dims[name] = typeof v === 'string' && v.includes(NOT_UTF8) ? flag(`dims.${name}`, v) : v;
    }
    out.dims = dims;
  }
  if (!problems) return record;
  out.problems = problems;
  return out;
}

/** How many bytes of `bytes` end with a whole character: an unfinished sequence at the end is left out. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  // A character is at most 4 bytes: its lead byte is among the last 4 if it is unfinished.
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return n - i < need ? i : n;
  }
  return n;
}

/** Length of the valid UTF-8 sequence at `i` (Unicode's table of well-formed byte sequences), 0 if none. */
function sequenceLength(bytes: Buffer, i: number, end: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const at = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b >= 0xc2 && b <= 0xdf) return at(1) ? 2 : 0;
  if (b === 0xe0) return at(1, 0xa0) && at(2) ? 3 : 0;
  if (b === 0xed) return at(1, 0x80, 0x9f) && at(2) ? 3 : 0; // no UTF-16 surrogates
  if (b >= 0xe1 && b <= 0xef) return at(1) && at(2) ? 3 : 0;
  if (b === 0xf0) return at(1, 0x90) && at(2) && at(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return at(1) && at(2) && at(3) ? 4 : 0;
  if (b === 0xf4) return at(1, 0x80, 0x8f) && at(2) && at(3) ? 4 : 0;
  return 0;
}
