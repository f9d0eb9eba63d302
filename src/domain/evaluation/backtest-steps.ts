import { endOfDay, lastDayOfMonth, type CalendarDate } from '../time/zoned-time.js';

/**
 * The dates a backtest replays the evaluation at: from a first calendar date, every so many months,
 * weeks or days, up to a last one. Calendar arithmetic in the directive's time zone, so a monthly
 * backtest from 31 January lands on the last day of each month (28 February, 31 March, ...).
 */

/** A step length: whole calendar months, or whole days. */
export type StepInterval = { months: number } | { days: number };

const intervalPattern = /^(\d{1,3})(mo|w|d)$/;

/** Parses `1mo`, `3mo`, `2w`, `7d`; undefined when the text is none of these or zero. */
export function parseStepInterval(text: string): StepInterval | undefined {
  const m = intervalPattern.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n === 0) return undefined;
  if (m[2] === 'mo') return { months: n };
  return { days: m[2] === 'w' ? 7 * n : n };
}

/**
 * The k-th date after `from`, counted from `from` itself (not from the previous step), so a month
 * clamped to its last day does not drag the following ones: 31 Jan, 28 Feb, 31 Mar.
 */
export function stepDate(from: CalendarDate, every: StepInterval, k: number): CalendarDate {
  if ('days' in every) {
    const d = new Date(Date.UTC(from.year, from.month - 1, from.day + k * every.days));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const index = from.year * 12 + (from.month - 1) + k * every.months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(from.day, lastDayOfMonth(year, month)) };
}

const dayNumber = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day);

/**
 * The step instants from `from` to `to` (inclusive), each the end of its day in `timeZone`: what
 * "as of that date" means everywhere in Pacer. At most `limit` of them; `truncated` says more would follow.
 */
export function backtestSteps(
  from: CalendarDate,
  to: CalendarDate,
  every: StepInterval,
  timeZone: string,
  limit: number,
): { steps: Date[]; truncated: boolean } {
  const steps: Date[] = [];
  for (let k = 0; ; k++) {
    const date = stepDate(from, every, k);
    if (dayNumber(date) > dayNumber(to)) return { steps, truncated: false };
    if (steps.length === limit) return { steps, truncated: true };
    steps.push(endOfDay(date, timeZone));
  }
}
