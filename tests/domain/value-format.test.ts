import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDay,
  formatPacePerDay,
  formatPercent,
  formatValue,
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
});
