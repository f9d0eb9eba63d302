import type { Language, TargetStatus } from '../../conventions.js';
import type { IndicatorKind } from '../catalog/catalog-schema.js';
import { calendarDateOf, formatLocalDateTime } from '../time/zoned-time.js';
import { messages, type Messages } from './messages.js';

/** The locale each language's numbers and dates are written in. */
const locales: Record<Language, string> = { en: 'en-GB', vi: 'vi-VN' };

/** How each language writes a calendar day: 30 Jun 2023; 30/06/2023. */
const dayOptions: Record<Language, Intl.DateTimeFormatOptions> = {
  en: { day: 'numeric', month: 'short', year: 'numeric' },
  vi: { day: '2-digit', month: '2-digit', year: 'numeric' },
};

const calendarDayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * How Pacer writes numbers and dates for a person reading one language in one time zone, with the
 * platform's `Intl` (no home-made grouping): counts whole (en `40,000,000`, vi `40.000.000`), ratios as
 * percentages with one decimal (`96.5%`, `96,5%`), tasks done or not done; dates as calendar days in
 * the directive's time zone (`30 Jun 2023`, `30/06/2023`), times as ISO 8601 with the zone's offset.
 * Built once per (language, time zone), where a page, a command or an evaluation starts, and passed on:
 * the `Intl` objects it holds are the costly part.
 */
export class Formatter {
  readonly messages: Messages;
  private readonly whole: Intl.NumberFormat;
  private readonly fine: Intl.NumberFormat;
  private readonly pace: Intl.NumberFormat;
  private readonly percentFormat: Intl.NumberFormat;
  private readonly dayFormat: Intl.DateTimeFormat;
  private readonly utcDayFormat: Intl.DateTimeFormat;

  constructor(
    readonly language: Language,
    readonly timeZone: string,
  ) {
    const locale = locales[language];
    this.messages = messages[language];
    // No sign on what rounds to zero: a progress of -0.00001 reads 0.0%, never -0.0%.
    const sign = { signDisplay: 'negative' } as const;
    this.whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, ...sign });
    this.fine = new Intl.NumberFormat(locale, { maximumFractionDigits: 3, ...sign });
    this.pace = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3, ...sign });
    this.percentFormat = new Intl.NumberFormat(locale, {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
      ...sign,
    });
    this.dayFormat = new Intl.DateTimeFormat(locale, { ...dayOptions[language], timeZone });
    this.utcDayFormat = new Intl.DateTimeFormat(locale, { ...dayOptions[language], timeZone: 'UTC' });
  }

  /** The BCP 47 locale written in: `en-GB`, `vi-VN`. */
  get locale(): string {
    return locales[this.language];
  }

  /** 12,500,000; 0.125: a plain number, whole from a thousand up. */
  number(x: number): string {
    return Math.abs(x) >= 1000 ? this.whole.format(x) : this.fine.format(x);
  }

  /** A count: a whole number, grouped (492.241 villages are 492). */
  count(x: number): string {
    return this.whole.format(x);
  }

  /** A ratio as a percentage with one decimal: 0.04844 → 4.8% (vi 4,8%). */
  percent(x: number): string {
    return this.percentFormat.format(x);
  }

  /**
   * A chance to meet as a whole percentage ("12%"), with "<1%" and ">99%" for what rounds to 0 or 100
   * without being certain: only a decided target reads 0% or 100%.
   */
  chance(p: number): string {
    if (p > 0 && p < 0.005) return '<1%';
    if (p < 1 && p > 0.995) return '>99%';
    return `${this.whole.format(Math.round(p * 100))}%`;
  }

  /** A value of the target's indicator as people read it: a count, a share, or done / not done. */
  value(x: number, kind: IndicatorKind): string {
    if (kind === 'milestone') return x >= 1 ? this.messages.value.done : this.messages.value.notDone;
    if (kind === 'ratio') return this.percent(x);
    return this.count(x);
  }

  /** A target value with its direction: `at most 5` for an at-most target. */
  targetValue(x: number, kind: IndicatorKind, direction: 'at_least' | 'at_most'): string {
    const value = this.value(x, kind);
    return direction === 'at_most' ? this.messages.value.atMost(value) : value;
  }

  /** A pace per day: three significant digits for counts (0.25 villages a day), points for ratios. */
  pacePerDay(perDay: number, kind: IndicatorKind): string {
    if (kind === 'ratio') return this.messages.value.pointsPerDay(this.pace.format(perDay * 100));
    return this.messages.value.perDay(Math.abs(perDay) >= 1000 ? this.whole.format(perDay) : this.pace.format(perDay));
  }

  /** The calendar day of an instant in the time zone: 30 Jun 2023 (vi 30/06/2023). */
  day(instant: number | Date | string): string {
    return this.dayFormat.format(typeof instant === 'string' ? Date.parse(instant) : instant);
  }

  /** A calendar day already in the time zone (YYYY-MM-DD, as `due` is), written for people; other text as is. */
  calendarDay(day: string): string {
    const m = calendarDayPattern.exec(day);
    // Noon UTC of that date is that date in UTC: the day is already the zone's, nothing to convert.
    return m ? this.utcDayFormat.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)) : day;
  }

  /** An instant where a time (not a date) is meant: ISO 8601 local time with its offset, 2023-06-30T23:59:59+07:00. */
  dateTime(instant: number | Date | string): string {
    return formatLocalDateTime(typeof instant === 'string' ? Date.parse(instant) : instant, this.timeZone);
  }

  /**
   * The instant a view is "as of": the calendar day when it closes one (`--at 2023-06-30` is the end of that day:
   * 30 Jun 2023), else the local time with its offset (now: 2026-12-01T21:55:03+07:00).
   */
  asOf(instant: number | Date | string): string {
    const ms = typeof instant === 'string' ? Date.parse(instant) : new Date(instant).getTime();
    const closesDay =
      calendarDateOf(new Date(ms + 1), this.timeZone).day !== calendarDateOf(new Date(ms), this.timeZone).day;
    return closesDay ? this.day(ms) : this.dateTime(ms);
  }

  /** A status's name: Off track (vi Chậm tiến độ). */
  status(status: TargetStatus): string {
    return this.messages.statuses[status];
  }
}
