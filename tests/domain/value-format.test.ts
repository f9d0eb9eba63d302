import { describe, expect, it } from 'vitest';
import {
  NONE,
  formatAsOf,
  formatCount,
  formatDay,
  formatPacePerDay,
  formatPercent,
  formatTargetValue,
  formatValue,
  formatValueOrNone,
} from '../../src/domain/format/value-format.js';

describe('numbers as people read them, by the unit', () => {
  it('writes counts as whole numbers: 492.241 villages are 492, never "492.241"', () => {
    expect(formatValue(492.241, 'level')).toBe('492');
    expect(formatValue(30_855_555.6, 'cumulative')).toBe('30,855,556');
    expect(formatCount(-0.4)).toBe('0');
  });

  it('writes ratios as percentages and tasks as done or not done', () => {
    expect(formatValue(0.7, 'ratio')).toBe('70.0%');
    expect(formatPercent(0.04844)).toBe('4.8%');
    expect(formatValue(1, 'milestone')).toBe('Done');
    expect(formatValue(0, 'milestone')).toBe('Not done');
  });

  it('keeps three significant digits in a pace, so a slow count still shows its speed', () => {
    expect(formatPacePerDay(0.357142, 'level')).toBe('0.357 a day');
    expect(formatPacePerDay(77_777.78, 'cumulative')).toBe('77,778 a day');
    expect(formatPacePerDay(0.0012, 'ratio')).toBe('0.12 percentage points a day');
  });

  it('writes the calendar day in the directive time zone, not UTC', () => {
    // 16:59:59.999Z is the last instant of 30 June in Ho Chi Minh City; 17:00Z is already 1 July there.
    expect(formatDay(Date.UTC(2023, 5, 30, 16, 59, 59, 999), 'Asia/Ho_Chi_Minh')).toBe('30 Jun 2023');
    expect(formatDay(Date.UTC(2023, 5, 30, 17), 'Asia/Ho_Chi_Minh')).toBe('1 Jul 2023');
  });

  it('writes one mark for nothing, and a target that must fall with ≤', () => {
    expect(NONE).toBe('—');
    expect(formatValueOrNone(null, 'cumulative')).toBe(NONE);
    expect(formatValueOrNone(0.7, 'ratio')).toBe('70.0%');
    expect(formatTargetValue(0, 'level', 'at_most')).toBe('≤ 0');
    expect(formatTargetValue(40_000_000, 'cumulative', 'at_least')).toBe('40,000,000');
  });

  it('writes an as-of instant as the local day it closes, else as local time with its offset', () => {
    const vn = 'Asia/Ho_Chi_Minh';
    expect(formatAsOf(new Date('2023-06-30T16:59:59.999Z'), vn)).toBe('2023-06-30');
    expect(formatAsOf(Date.parse('2026-12-01T14:55:03.250Z'), vn)).toBe('2026-12-01T21:55:03+07:00');
    // The first instant of a day closes none.
    expect(formatAsOf(Date.parse('2023-06-30T17:00:00.000Z'), vn)).toBe('2023-07-01T00:00:00+07:00');
  });
});
