import type { Direction, IndicatorKind } from '../catalog/catalog-schema.js';
import { Formatter } from '../language/formatter.js';
import { calendarDateOf, formatLocalDate, formatLocalDateTime } from '../time/zoned-time.js';

/**
 * English numbers and dates, as functions: the first spelling of what {@link Formatter} now writes in
 * every language. Kept for callers that only ever write English; new code takes a `Formatter` built
 * for the reader's language and time zone.
 */

/**
 * What every view writes where there is nothing to show: no value yet, no completion date at the
 * current pace, a column that does not apply (a task has no projection). One mark, so the page,
 * `pacer status`, `pacer evaluate` and the reports read alike.
 */
export const NONE = '—';

const english = new Formatter('en', 'UTC');

/** 12,500,000; 0.125: a plain number, whole from a thousand up. */
export function formatNumber(x: number): string {
  return english.number(x);
}

/** A count: a whole number, grouped (492.241 villages are 492). */
export function formatCount(x: number): string {
  return english.count(x);
}

/** A ratio as a percentage with one decimal: 0.04844 → 4.8%. */
export function formatPercent(x: number): string {
  return english.percent(x);
}

/** A value of the target's indicator as people read it: a count, a share, or done / not done. */
export function formatValue(x: number, kind: IndicatorKind): string {
  return english.value(x, kind);
}

/** A value or {@link NONE} when there is none. */
export function formatValueOrNone(x: number | null, kind: IndicatorKind): string {
  return x === null ? NONE : formatValue(x, kind);
}

/** A target level as people read it: 40,000,000; ≤ 0 for a count that must fall to it. */
export function formatTargetValue(x: number, kind: IndicatorKind, direction: Direction): string {
  return `${direction === 'at_most' ? '≤ ' : ''}${formatValue(x, kind)}`;
}

/** A pace per day: three significant digits for counts (0.25 villages a day), points for ratios. */
export function formatPacePerDay(perDay: number, kind: IndicatorKind): string {
  return english.pacePerDay(perDay, kind);
}

/** The calendar day of an instant in the zone, as people write it: 30 Jun 2023. */
export function formatDay(ms: number, timeZone: string): string {
  return new Formatter('en', timeZone).day(ms);
}

/**
 * The instant a view is "as of", in the zone: the calendar day when it closes one (`--at 2023-06-30` is
 * the end of that day: 2023-06-30), else the local time with its offset (now: 2026-12-01T21:55:03+07:00).
 */
export function formatAsOf(instant: Date | number, timeZone: string): string {
  const ms = new Date(instant).getTime();
  const closesDay = calendarDateOf(new Date(ms + 1), timeZone).day !== calendarDateOf(new Date(ms), timeZone).day;
  return closesDay ? formatLocalDate(ms, timeZone) : formatLocalDateTime(ms, timeZone);
}
