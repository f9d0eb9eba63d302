import { describe, expect, it } from 'vitest';
import { deadlineOf, parseDueDate } from '../../src/domain/catalog/due-date.js';
import {
  calendarDateOf,
  endOfDay,
  formatLocalDate,
  formatLocalDateTime,
  parseCalendarDate,
  parseInstant,
  parseReportedTime,
  startOfDay,
  startOfNextDay,
  zoneOffsetMs,
} from '../../src/domain/time/zoned-time.js';

const VN = 'Asia/Ho_Chi_Minh';

describe('due dates as analysts write them', () => {
  it.each([
    ['June 2023', '2023-06-30', 'month'],
    ['Jun 2023', '2023-06-30', 'month'],
    ['2023-06', '2023-06-30', 'month'],
    ['February 2024', '2024-02-29', 'month'],
    ['Sept 2023', '2023-09-30', 'month'],
    ['2023-06-15', '2023-06-15', 'day'],
  ])('reads "%s" as the last day %s', (text, lastDay, precision) => {
    const due = parseDueDate(text)!;
    expect(due.precision).toBe(precision);
    expect(
      `${due.lastDay.year}-${String(due.lastDay.month).padStart(2, '0')}-${String(due.lastDay.day).padStart(2, '0')}`,
    ).toBe(lastDay);
  });

  it.each(['Juen 2023', '2023-13', '2023-02-30', 'June', '30/06/2023', ''])('rejects "%s"', (text) => {
    expect(parseDueDate(text)).toBeUndefined();
  });

  it('puts the deadline of "June 2023" at the last instant of 30 June in Ho Chi Minh City, 16:59:59.999 UTC', () => {
    expect(deadlineOf(parseDueDate('June 2023')!, VN).toISOString()).toBe('2023-06-30T16:59:59.999Z');
  });
});

describe('instants in a time zone', () => {
  it('knows Viet Nam is seven hours ahead of UTC', () => {
    expect(zoneOffsetMs(Date.UTC(2023, 5, 30), VN)).toBe(7 * 3600_000);
  });

  it('starts a day at local midnight, ends it at 23:59:59.999 and bounds it by the next midnight', () => {
    const day = parseCalendarDate('2025-07-01')!;
    expect(startOfDay(day, VN).toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(endOfDay(day, VN).toISOString()).toBe('2025-07-01T16:59:59.999Z');
    expect(startOfNextDay(day, VN).toISOString()).toBe('2025-07-01T17:00:00.000Z');
  });

  it('handles a zone with daylight saving time', () => {
    // New York switched to EDT on 2023-03-12: the day has 23 hours.
    const day = parseCalendarDate('2023-03-12')!;
    const start = startOfDay(day, 'America/New_York').getTime();
    expect(startOfNextDay(day, 'America/New_York').getTime() - start).toBe(23 * 3600_000);
    expect(endOfDay(day, 'America/New_York').getTime() - start).toBe(23 * 3600_000 - 1);
  });

  it('reads a bare date as that day in the zone, and an offset as given', () => {
    expect(parseInstant('2023-06-19', VN)?.toISOString()).toBe('2023-06-18T17:00:00.000Z');
    expect(parseInstant('2023-06-19T08:30:00+07:00', VN)?.toISOString()).toBe('2023-06-19T01:30:00.000Z');
    expect(parseInstant('2023-06-19T08:30:00Z', VN)?.toISOString()).toBe('2023-06-19T08:30:00.000Z');
    expect(parseInstant('2023-06-19T08:30', VN)?.toISOString()).toBe('2023-06-19T01:30:00.000Z');
    expect(parseInstant('2023-06-19T08:30:00.25+0700', VN)?.toISOString()).toBe('2023-06-19T01:30:00.250Z');
  });

  it('reads a bare reported date as the end of that day in the zone, and a date-time as parseInstant does', () => {
    expect(parseReportedTime('2023-06-30', VN)?.toISOString()).toBe('2023-06-30T16:59:59.999Z');
    expect(parseReportedTime('2023-06-30', 'America/New_York')?.toISOString()).toBe('2023-07-01T03:59:59.999Z');
    expect(parseReportedTime('2023-06-19T08:30:00+07:00', VN)?.toISOString()).toBe('2023-06-19T01:30:00.000Z');
    expect(parseReportedTime('2023-06-19T08:30', VN)?.toISOString()).toBe('2023-06-19T01:30:00.000Z');
    expect(parseReportedTime('2023-06-31', VN)).toBeUndefined();
  });

  it('rejects timestamps that are not dates', () => {
    for (const text of ['2023-06-31', '19/06/2023', '2023-06-19T25:00', 'yesterday', ''])
      expect(parseInstant(text, VN)).toBeUndefined();
  });

  it('finds the local calendar date of an instant', () => {
    expect(calendarDateOf(new Date('2023-06-30T17:30:00Z'), VN)).toEqual({ year: 2023, month: 7, day: 1 });
  });

  it('writes an instant as the local date, and as local time with its offset, never as UTC', () => {
    const deadline = new Date('2023-06-30T16:59:59.999Z');
    expect(formatLocalDate(deadline, VN)).toBe('2023-06-30');
    expect(formatLocalDateTime(deadline, VN)).toBe('2023-06-30T23:59:59+07:00');
    expect(formatLocalDateTime(Date.parse('2026-12-01T23:00:00Z'), VN)).toBe('2026-12-02T06:00:00+07:00');
    expect(formatLocalDateTime(Date.parse('2024-01-15T12:00:00Z'), 'America/St_Johns')).toBe(
      '2024-01-15T08:30:00-03:30',
    );
    expect(formatLocalDateTime(Date.parse('2024-07-15T12:00:00Z'), 'UTC')).toBe('2024-07-15T12:00:00+00:00');
  });
});
