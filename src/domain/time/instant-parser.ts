import { endOfDay, lastDayOfMonth, parseReportedTime } from './zoned-time.js';

/**
 * {@link parseReportedTime} for the ingest hot path, where a million observation times arrive in a
 * batch. The common shapes are read digit by digit without allocating: a bare date (the end of
 * that day in the region's zone, cached per zone and date, since a batch repeats few dates) and a
 * date-time with `Z` or a numeric offset. Anything else (a wall-clock time without an offset, a
 * space instead of `T`) falls back to `parseReportedTime`. Results are epoch milliseconds, NaN when
 * the text is not a valid time.
 */
export class InstantParser {
  private readonly dayEnds = new Map<string, Map<string, number>>();
  private cached = 0;

  /** Epoch milliseconds of `text` read in `timeZone`, or NaN. */
  parse(text: string, timeZone: string): number {
    const n = text.length;
    if (n === 10) return this.dayEnd(text, timeZone);
    if (n >= 17 && text.charCodeAt(10) === 84 /* T */) {
      const fast = parseOffsetDateTime(text);
      if (fast !== undefined) return fast;
    }
    return parseReportedTime(text, timeZone)?.getTime() ?? NaN;
  }

  private lastDay = '';
  private lastZone = '';
  private lastMs = NaN;

  private dayEnd(text: string, timeZone: string): number {
    // Rows come grouped by date more often than not: comparing with the last one beats hashing.
    if (text === this.lastDay && timeZone === this.lastZone) return this.lastMs;
    this.lastDay = text;
    this.lastZone = timeZone;
    return (this.lastMs = this.lookupDayEnd(text, timeZone));
  }

  private lookupDayEnd(text: string, timeZone: string): number {
    let zone = this.dayEnds.get(timeZone);
    if (!zone) this.dayEnds.set(timeZone, (zone = new Map()));
    const hit = zone.get(text);
    if (hit !== undefined) return hit;
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const valid =
      text.charCodeAt(4) === 45 &&
      text.charCodeAt(7) === 45 &&
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= lastDayOfMonth(year, month);
    const ms = valid ? endOfDay({ year, month, day }, timeZone).getTime() : NaN;
    // Bounded: a batch spanning decades of daily data stays far below this.
    if (++this.cached > 100_000) {
      this.dayEnds.clear();
      this.cached = 0;
    }
    zone.set(text, ms);
    return ms;
  }
}

/** Reads `count` ASCII digits at `at` as a number; -1 when any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/**
 * `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM)`; undefined when the text has another shape (the
 * caller falls back to the general parser), NaN when it has this shape but impossible values.
 */
function parseOffsetDateTime(text: string): number | undefined {
  const n = text.length;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) return undefined;
  let i = 16;
  let second = 0;
  let ms = 0;
  if (text.charCodeAt(i) === 58 /* : */) {
    second = digits(text, i + 1, 2);
    if (second < 0) return undefined;
    i += 3;
    if (text.charCodeAt(i) === 46 /* . */) {
      i++;
      let scale = 100;
      const start = i;
      while (i < n) {
        const c = text.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === start || i - start > 9) return undefined;
      ms = Math.floor(ms);
    }
  }
  let offsetMinutes: number;
  const sign = text.charCodeAt(i);
  if ((sign === 90 || sign === 122) /* Z z */ && i === n - 1) offsetMinutes = 0;
  else if (sign === 43 || sign === 45 /* + - */) {
    const oh = digits(text, i + 1, 2);
    const colon = text.charCodeAt(i + 3) === 58;
    const om = digits(text, i + (colon ? 4 : 3), 2);
    if (oh < 0 || om < 0 || i + (colon ? 6 : 5) !== n || oh > 23 || om > 59) return undefined;
    offsetMinutes = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  // Years before 1000 are rejected rather than shifted (Date.UTC reads 0..99 as 1900..1999).
  if (
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > lastDayOfMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}
