import { describe, expect, it } from 'vitest';
import { languages, targetReasons, targetStatuses } from '../../src/conventions.js';
import { explainTarget } from '../../src/domain/evaluation/target-explanation.js';
import type { TargetEvaluation } from '../../src/domain/evaluation/target-evaluation.js';
import { Formatter } from '../../src/domain/language/formatter.js';
import { commandLanguage, languageOfLocale, negotiateLanguage } from '../../src/domain/language/language.js';
import { messages } from '../../src/domain/language/messages.js';

const zone = 'Asia/Ho_Chi_Minh';
const lastInstantOfJune = Date.UTC(2023, 5, 30, 16, 59, 59, 999);

describe('numbers and dates in the reader’s language', () => {
  const en = new Formatter('en', zone);
  const vi = new Formatter('vi', zone);

  it('groups thousands and marks decimals as each language does', () => {
    expect(en.value(40_000_000, 'cumulative')).toBe('40,000,000');
    expect(vi.value(40_000_000, 'cumulative')).toBe('40.000.000');
    expect(en.percent(0.965)).toBe('96.5%');
    expect(vi.percent(0.965)).toBe('96,5%');
    expect(vi.number(0.125)).toBe('0,125');
    expect(vi.count(-0.4)).toBe('0');
    expect(en.percent(-0)).toBe('0.0%');
    expect(en.percent(-0.05)).toBe('-5.0%');
  });

  it('writes a day as people there write it, on the directive’s calendar', () => {
    expect(en.day(lastInstantOfJune)).toBe('30 Jun 2023');
    expect(vi.day(lastInstantOfJune)).toBe('30/06/2023');
    // 17:00Z is already 1 July in Ho Chi Minh City.
    expect(vi.day(lastInstantOfJune + 1)).toBe('01/07/2023');
    expect(vi.calendarDay('2023-06-30')).toBe('30/06/2023');
    expect(en.calendarDay('2023-06-30')).toBe('30 Jun 2023');
  });

  it('writes a time as ISO 8601 local time with its offset, in every language', () => {
    expect(vi.dateTime('2023-06-30T16:59:59.999Z')).toBe('2023-06-30T23:59:59+07:00');
    expect(en.dateTime(lastInstantOfJune)).toBe(vi.dateTime(lastInstantOfJune));
  });

  it('names tasks, paces and directions in the language', () => {
    expect(vi.value(1, 'milestone')).toBe('Đã hoàn thành');
    expect(vi.pacePerDay(77_777.78, 'cumulative')).toBe('77.778 mỗi ngày');
    expect(vi.pacePerDay(0.0012, 'ratio')).toBe('0,12 điểm phần trăm mỗi ngày');
    expect(vi.targetValue(5, 'level', 'at_most')).toBe('tối đa 5');
    expect(en.targetValue(5, 'level', 'at_most')).toBe('at most 5');
  });
});

describe('the message tables', () => {
  it('name every status in every language, each name its own', () => {
    for (const language of languages) {
      const names = targetStatuses.map((s) => messages[language].statuses[s]);
      expect(new Set(names).size, language).toBe(targetStatuses.length);
      for (const name of names) expect(name.trim(), language).not.toBe('');
    }
    expect(messages.vi.statuses.off_track).toBe('Chậm tiến độ');
  });

  it('explain every reason in every language with the figures written in that language', () => {
    const base: TargetEvaluation = {
      status: 'off_track',
      reason: 'forecast_short',
      achievedLate: true,
      achievedAt: lastInstantOfJune - 86_400_000,
      current: 12_500_000,
      currentAt: lastInstantOfJune - 30 * 86_400_000,
      expected: 40_000_000,
      progress: 0.05,
      expectedProgress: 1,
      projected: 30_777_778,
      forecastNow: 12_500_000,
      projectedCompletionAt: null,
      coverage: 0.5,
      valueAtDeadline: 12_500_000,
      partial: true,
      parts: { reported: 20, total: 34, level: 'province' },
      missedMilestone: { deadline: lastInstantOfJune - 90 * 86_400_000, observed: 5_000_000, value: 20_000_000 },
      forecast: { slope: 77_777.78 / 86_400_000, intercept: 12_500_000 },
      attainmentProbability: null,
      projectedLow: null,
      projectedHigh: null,
    };
    const spec = {
      baselineValue: 11_100_000,
      targetValue: 40_000_000,
      deadline: lastInstantOfJune,
      direction: 'at_least' as const,
      tolerance: 0.1,
      updateIntervalSeconds: 86_400,
      minCoverage: 1,
    };
    for (const language of languages) {
      const format = new Formatter(language, zone);
      for (const reason of targetReasons) {
        const sentence = explainTarget(spec, { ...base, reason }, { kind: 'cumulative', rollup: 'sum', format });
        expect(sentence, `${language} ${reason}`).toMatch(/\.$/);
        expect(sentence, `${language} ${reason}`).not.toMatch(/undefined|null|NaN|T\d\d:\d\d/);
        expect(sentence, `${language} ${reason}`).toMatch(
          language === 'vi' ? /\d\d\/0[56]\/2023/ : /\d (May|Jun) 2023/,
        );
      }
    }
    const vi = new Formatter('vi', zone);
    const coverage = explainTarget(
      spec,
      { ...base, reason: 'incomplete_coverage' },
      { kind: 'cumulative', rollup: 'sum', format: vi },
    );
    expect(coverage).toBe(
      'Đến hạn 30/06/2023, mới có 20/34 tỉnh, thành phố báo cáo (cần tối thiểu 100,0%); tổng tạm tính là 12.500.000.',
    );
  });
});

describe('which language a reader asked for', () => {
  it('takes the language of a locale, whatever its spelling, and nothing from C or a language Pacer lacks', () => {
    expect(languageOfLocale('vi_VN.UTF-8')).toBe('vi');
    expect(languageOfLocale('vi-VN')).toBe('vi');
    expect(languageOfLocale('en_GB@euro')).toBe('en');
    expect(languageOfLocale('C')).toBeUndefined();
    expect(languageOfLocale('fr_FR.UTF-8')).toBeUndefined();
  });

  it('reads Accept-Language by weight, then by order, skipping what is refused', () => {
    expect(negotiateLanguage('fr-FR, vi;q=0.8, en;q=0.5')).toBe('vi');
    expect(negotiateLanguage('en;q=0.4, vi-VN;q=0.9')).toBe('vi');
    expect(negotiateLanguage('vi;q=0, en')).toBe('en');
    expect(negotiateLanguage('de, fr')).toBeUndefined();
    expect(negotiateLanguage(undefined)).toBeUndefined();
  });

  it('lets --lang win on the command line, then LC_ALL, LC_MESSAGES and LANG in that order', () => {
    expect(commandLanguage('en', { LANG: 'vi_VN.UTF-8' })).toBe('en');
    expect(commandLanguage(undefined, { LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(commandLanguage(undefined, { LC_ALL: 'C', LANG: 'vi_VN.UTF-8' })).toBe('en');
    expect(commandLanguage(undefined, { LC_ALL: '', LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(commandLanguage(undefined, {})).toBe('en');
  });
});
