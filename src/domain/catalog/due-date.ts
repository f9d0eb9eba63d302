import { endOfDay, lastDayOfMonth, parseCalendarDate, type CalendarDate } from '../time/zoned-time.js';

const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** How a due date was written: a day, or a month (meaning its last day). */
export interface DueDate {
  /** The last calendar day that still counts. */
  lastDay: CalendarDate;
  precision: 'day' | 'month';
}

/**
 * Reads a due date as analysts copy it from a directive: `2023-06-30`, `2023-06` or `June 2023`
 * (also `Jun 2023`). A month means its last day. Returns undefined for anything else, so the
 * caller can say what it got.
 */
export function parseDueDate(text: string): DueDate | undefined {
  const trimmed = text.trim();
  const day = parseCalendarDate(trimmed);
  if (day) return { lastDay: day, precision: 'day' };

  const ym = /^(\d{4})-(\d{2})$/.exec(trimmed);
  if (ym) return monthEnd(Number(ym[1]), Number(ym[2]));

  const named = /^([A-Za-z]+)\.?\s+(\d{4})$/.exec(trimmed);
  if (named) {
    const word = named[1]!.toLowerCase();
    const index = months.findIndex(
      (m) => m === word || m.slice(0, 3) === word || (word === 'sept' && m === 'september'),
    );
    if (index >= 0) return monthEnd(Number(named[2]), index + 1);
  }
  return undefined;
}

function monthEnd(year: number, month: number): DueDate | undefined {
  if (month < 1 || month > 12) return undefined;
  return { lastDay: { year, month, day: lastDayOfMonth(year, month) }, precision: 'month' };
}

/** The deadline instant: the end of the due day in the directive's time zone. */
export function deadlineOf(due: DueDate, timeZone: string): Date {
  return endOfDay(due.lastDay, timeZone);
}
