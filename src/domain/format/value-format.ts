import type { Direction, IndicatorKind } from '../catalog/catalog-schema.js';
import { calendarDateOf, formatLocalDate, formatLocalDateTime } from '../time/zoned-time.js';

/**
 * How Pacer writes numbers and dates for people, by the indicator's unit: counts as whole numbers,
 * ratios as percentages, tasks as done or not done; dates as calendar days in the directive's time
 * zone. One module, so the page, the CLI, the explanations and the alerts say the same thing.
 */

/**
 * What every view writes where there is nothing to show: no value yet, no completion date at the
 * current pace, a column that does not apply (a task has no projection). One mark, so the page,
 * `pacer status`, `pacer evaluate` and the reports read alike.
 */
export const NONE = '—';

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fine = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
const pace = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** 12,500,000; 0.125: a plain number, whole from a thousand up. */
export function formatNumber(x: number): string {
  return Math.abs(x) >= 1000 ? whole.format(x) : fine.format(x);
}

/** A count: a whole number, grouped (492.241 villages are 492). */
export function formatCount(x: number): string {
  // Rounding first: Intl rounds -0.4 to "-0".
  return whole.format(Math.round(x) || 0);
}

/** A ratio as a percentage with one decimal: 0.04844 → 4.8%. */
export function formatPercent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A value of the target's indicator as people read it: a count, a share, or done / not done. */
export function formatValue(x: number, kind: IndicatorKind): string {
  if (kind === 'milestone') return x >= 1 ? 'Done' : 'Not done';
  if (kind === 'ratio') return formatPercent(x);
  return formatCount(x);
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
  if (kind === 'ratio') return `${pace.format(perDay * 100)} percentage points a day`;
  return `${Math.abs(perDay) >= 1000 ? whole.format(perDay) : pace.format(perDay)} a day`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in the zone, as people write it: 30 Jun 2023. */
export function formatDay(ms: number, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric' });
    dayFormats.set(timeZone, format);
  }
  return format.format(ms);
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
