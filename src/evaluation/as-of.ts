import type { Directive } from '../domain/catalog/catalog-model.js';
import {
  calendarDateOf,
  endOfDay,
  formatCalendarDate,
  parseCalendarDate,
  parseInstant,
  startOfDay,
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

/**
 * The instant "known at T" means (transaction time: only what Pacer had recorded by then, each value as it stood
 * then), the same for `--known-at` and `?known_at=`: read like {@link parseAsOf} (a bare date is the end of that day
 * in the directive's time zone), except that it cannot be in the future: today's date means now, and a later day or
 * instant is an error.
 */
export function parseKnownAt(text: string, timezone: string, now: Date, field = '--known-at'): Date {
  const knownAt = parseAsOf(text, timezone, field);
  if (knownAt.getTime() <= now.getTime()) return knownAt;
  const day = parseCalendarDate(text);
  if (day && startOfDay(day, timezone).getTime() <= now.getTime()) return now;
  const message = `"${text}" is in the future: only what Pacer has recorded so far is known (leave it out for now)`;
  throw new InputError(`${field}: ${message}`, [{ code: 'future_known_at', field, message }]);
}

/** The calendar date (YYYY-MM-DD) an instant falls on in the zone; null stays null. */
export function calendarDay(ms: number | null, timezone: string): string | null {
  return ms === null ? null : formatCalendarDate(calendarDateOf(new Date(ms), timezone));
}

/**
 * Refuses an as-of instant before the first directive was issued: nothing was expected then, and an
 * evaluation would call every target "on track" for a directive that did not exist yet. With several
 * directives the earliest issue date counts (a date between two issue dates is a fair view of the
 * older directive; the newer one's targets read as not started). Throws an {@link InputError}
 * (`as_of_before_issue`, naming `field`).
 */
export function refuseBeforeIssue(
  asOf: Date,
  directives: readonly Pick<Directive, 'title' | 'issued' | 'timezone'>[],
  field = '--at',
): void {
  let first: { title: string; issued: string; start: number } | undefined;
  for (const d of directives) {
    const day = parseCalendarDate(d.issued);
    if (!day) continue;
    const start = startOfDay(day, d.timezone).getTime();
    if (!first || start < first.start) first = { title: d.title, issued: d.issued, start };
  }
  if (!first || asOf.getTime() >= first.start) return;
  const timezone = directives.find((d) => d.title === first.title)!.timezone;
  const message =
    `as of ${calendarDay(asOf.getTime(), timezone)} is before ${first.title} was issued (${first.issued}); ` +
    `pick a date from ${first.issued} on`;
  throw new InputError(`${field}: ${message}`, [{ code: 'as_of_before_issue', field, message }], {
    code: 'as_of_before_issue',
  });
}
