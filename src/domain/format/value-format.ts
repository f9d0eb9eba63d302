import type { IndicatorKind } from '../catalog/catalog-schema.js';
import { Formatter } from '../language/formatter.js';

/**
 * English numbers and dates, as functions: the first spelling of what {@link Formatter} now writes in
 * every language. Kept for callers that only ever write English; new code takes a `Formatter` built
 * for the reader's language and time zone.
 */

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

/** A pace per day: three significant digits for counts (0.25 villages a day), points for ratios. */
export function formatPacePerDay(perDay: number, kind: IndicatorKind): string {
  return english.pacePerDay(perDay, kind);
}

/** The calendar day of an instant in the zone, as people write it: 30 Jun 2023. */
export function formatDay(ms: number, timeZone: string): string {
  return new Formatter('en', timeZone).day(ms);
}
