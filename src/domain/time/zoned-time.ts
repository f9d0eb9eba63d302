/**
 * Calendar dates and instants in a named time zone, with nothing but `Intl`. Directives speak in
 * local calendar terms ("by June 2023" in Asia/Ho_Chi_Minh); storage and arithmetic use instants.
 */

export interface CalendarDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at `instantMs`, in milliseconds (Asia/Ho_Chi_Minh: +7 h). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The instant a wall-clock time in `timeZone` denotes (the earlier one when a DST fold repeats it). */
export function zonedToInstant(
  date: CalendarDate,
  timeZone: string,
  time: { hour?: number; minute?: number; second?: number; ms?: number } = {},
): Date {
  const wall = Date.UTC(
    date.year,
    date.month - 1,
    date.day,
    time.hour ?? 0,
    time.minute ?? 0,
    time.second ?? 0,
    time.ms ?? 0,
  );
  let guess = wall - zoneOffsetMs(wall, timeZone);
  // A second pass settles the offset when the first guess crossed a transition.
  guess = wall - zoneOffsetMs(guess, timeZone);
  return new Date(guess);
}

/** Midnight at the start of `date` in `timeZone`. */
export function startOfDay(date: CalendarDate, timeZone: string): Date {
  return zonedToInstant(date, timeZone);
}

/**
 * The last instant of `date` in `timeZone` (23:59:59.999): what a bare date means in a report ("as of
 * 30 June"), a deadline ("by June 2023") or an as-of date. Compared inclusively (`<=`), it takes in all of
 * that day and nothing of the next: a value dated 1 July is after a June deadline.
 */
export function endOfDay(date: CalendarDate, timeZone: string): Date {
  return new Date(startOfNextDay(date, timeZone).getTime() - 1);
}

/** Midnight starting the day after `date`: the exclusive upper bound of that day. */
export function startOfNextDay(date: CalendarDate, timeZone: string): Date {
  return startOfDay(addDays(date, 1), timeZone);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date an instant falls on in `timeZone`. */
export function calendarDateOf(instant: Date, timeZone: string): CalendarDate {
  const local = new Date(instant.getTime() + zoneOffsetMs(instant.getTime(), timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

export function formatCalendarDate(date: CalendarDate): string {
  return (
    `${String(date.year).padStart(4, '0')}-` +
    `${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`
  );
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`, rejecting impossible dates such as 2023-02-30. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const m = isoDate.exec(text);
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > lastDayOfMonth(date.year, date.month))
    return undefined;
  return date;
}

const isoDateTime = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses the time a value is reported for: a bare date is the end of that day in `timeZone` (a figure
 * "as of 30 June" counts toward a June deadline and an as-of 30 June); a date-time is read as by
 * {@link parseInstant}. Returns undefined when unparsable.
 */
export function parseReportedTime(text: string, timeZone: string): Date | undefined {
  const day = parseCalendarDate(text);
  return day ? endOfDay(day, timeZone) : parseInstant(text, timeZone);
}

/**
 * Parses the start of a time range: an ISO date (that day's start in `timeZone`) or an ISO date-time
 * (with an offset, or else read as wall-clock time in `timeZone`). Returns undefined when unparsable.
 */
export function parseInstant(text: string, timeZone: string): Date | undefined {
  const day = parseCalendarDate(text);
  if (day) return startOfDay(day, timeZone);
  const m = isoDateTime.exec(text);
  if (!m) return undefined;
  const date = parseCalendarDate(m[1]!);
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  const second = m[4] ? Number(m[4]) : 0;
  if (!date || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[5] ? Number(m[5].slice(0, 3).padEnd(3, '0')) : 0;
  if (!m[6]) return zonedToInstant(date, timeZone, { hour, minute, second, ms });
  const parsed = Date.parse(
    `${m[1]}T${m[2]}:${m[3]}:${String(second).padStart(2, '0')}.${String(ms).padStart(3, '0')}${normalizeOffset(m[6])}`,
  );
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

function normalizeOffset(offset: string): string {
  if (offset.toUpperCase() === 'Z') return 'Z';
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/** The local calendar date of an instant in `timeZone`, as ISO 8601: 2023-06-30. */
export function formatLocalDate(instant: Date | number, timeZone: string): string {
  return formatCalendarDate(calendarDateOf(new Date(instant), timeZone));
}

/**
 * An instant as the local wall-clock time in `timeZone`, ISO 8601 with its offset and to the second:
 * 2023-06-30T23:59:59+07:00. What a person reads where a time (not a date) is meant; machines keep UTC.
 */
export function formatLocalDateTime(instant: Date | number, timeZone: string): string {
  const ms = new Date(instant).getTime();
  const offset = zoneOffsetMs(ms, timeZone);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset);
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${formatCalendarDate(calendarDateOf(new Date(ms), timeZone))}T` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
  );
}
