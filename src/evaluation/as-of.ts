import {
  calendarDateOf,
  endOfDay,
  formatCalendarDate,
  parseCalendarDate,
  parseInstant,
} from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';

/**
 * The instant "as of DATE" means, the same for `pacer evaluate --at`, `pacer status --at`, the
 * API's `?at=` and the scorecard's date picker: a bare date is the end of that day in the
 * directive's time zone (everything dated that day is known); an ISO date-time is that instant
 * (wall-clock time in the zone when it has no offset).
 */
export function parseAsOf(text: string, timezone: string, field = '--at'): Date {
  const day = parseCalendarDate(text);
  const asOf = day ? endOfDay(day, timezone) : parseInstant(text, timezone);
  if (!asOf) {
    const message = `expected YYYY-MM-DD or an ISO date-time, got "${text}"`;
    throw new InputError(`${field}: ${message}`, [{ code: 'invalid_date', field, message }]);
  }
  return asOf;
}

/** The calendar date (YYYY-MM-DD) an instant falls on in the zone; null stays null. */
export function calendarDay(ms: number | null, timezone: string): string | null {
  return ms === null ? null : formatCalendarDate(calendarDateOf(new Date(ms), timezone));
}
