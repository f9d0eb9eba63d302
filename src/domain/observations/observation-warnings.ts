/**
 * Data-quality warnings: values that are accepted and stored, but look wrong next to their series
 * (indicator, region, dims) and are flagged for people to check. The rules are defined here; the
 * ingest computes them in SQL over the series a batch touched (`observation-warnings-sql.ts`), and
 * {@link seriesWarnings} is the same rule over points in memory, its oracle in the tests.
 */
import { messages, type WarningMessages } from '../language/messages.js';
import type { IndicatorKind } from './ingest-catalog.js';

export const observationWarningCodes = {
  decrease: 'a cumulative indicator is lower than its previous value in the same series',
  jump: 'a rise per day since the previous value far above the trailing pace of the series',
} as const;
export type ObservationWarningCode = keyof typeof observationWarningCodes;

/**
 * The thresholds. A jump is a rise per day (since the previous value; a gap under a day counts as
 * a day) above `jumpFactor` times the trailing pace: the average rise per day over the trailing
 * window, the `trailingPoints` values before it (from the first of them to the previous one). The
 * window needs at least `minTrailingPoints` values and a rise across it (a flat or falling history
 * has no pace to compare with). A decrease is any value below the previous one of a cumulative
 * indicator. An average over the window rather than a least-squares slope: it needs only the
 * window's first and last values, which SQL reads in the same pass as the previous value.
 */
export const warningThresholds = {
  jumpFactor: 10,
  trailingPoints: 8,
  minTrailingPoints: 3,
} as const;

const DAY_MS = 86_400_000;

/** Whether a series of this kind is checked at all, and for which codes. */
export function warningChecks(kind: IndicatorKind): { decrease: boolean; jump: boolean } {
  return { decrease: kind === 'cumulative', jump: kind !== 'milestone' };
}

/** One flagged value and the numbers behind it. Instants in epoch ms. */
export interface WarningFlag {
  code: ObservationWarningCode;
  /** The flagged observation. */
  at: number;
  value: number;
  /** The value before it in its series. */
  previousAt: number;
  previousValue: number;
  /** Jump: the trailing pace per day; null for a decrease. */
  pacePerDay: number | null;
}

/** A warning in a push's answer: the record's line (as for rejected records), the field, the code, a message. */
export interface ObservationWarning {
  line: number;
  field: 'value';
  code: ObservationWarningCode;
  message: string;
}

/**
 * The warning's message, with the numbers. `day` formats an instant as the calendar day in the
 * series' time zone. `following` is set when the record on the line is the one before the flagged
 * value (a backfill before a stored value), so the message names the value after it.
 */
export function warningMessage(
  flag: WarningFlag,
  day: (ms: number) => string,
  following = false,
  say: WarningMessages = messages.en.warnings,
  number: (x: number) => string = num,
): string {
  if (flag.code === 'decrease') {
    return following
      ? say.decreaseFollowing({ previous: number(flag.previousValue), value: number(flag.value), day: day(flag.at) })
      : say.decrease({ value: number(flag.value), previous: number(flag.previousValue), day: day(flag.previousAt) });
  }
  const days = (flag.at - flag.previousAt) / DAY_MS;
  const rise = flag.value - flag.previousValue;
  const times = rise / Math.max(days, 1) / flag.pacePerDay!;
  const jump = say.jump({
    rise: number(rise),
    days,
    daysText: number(days),
    since: day(flag.previousAt),
    times: number(times),
    pace: number(flag.pacePerDay!),
  });
  return following ? say.jumpFollowing({ value: number(flag.value), day: day(flag.at), jump }) : jump;
}

/** Numbers for people: thousands separated; three significant digits below 100. */
function num(x: number): string {
  return Math.abs(x) >= 100
    ? Math.round(x).toLocaleString('en-US')
    : x.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** A point of a series, in time order. */
export interface SeriesPoint {
  at: number;
  value: number;
}

/**
 * The flags of a whole series (points in time order), by the rules above: what the SQL computes
 * for the values a batch wrote and the value after each.
 */
export function seriesWarnings(points: readonly SeriesPoint[], kind: IndicatorKind): WarningFlag[] {
  const checks = warningChecks(kind);
  const flags: WarningFlag[] = [];
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1]!;
    const base = { at: p.at, value: p.value, previousAt: prev.at, previousValue: prev.value };
    if (checks.decrease && p.value < prev.value) flags.push({ code: 'decrease', ...base, pacePerDay: null });
    if (!checks.jump || p.value <= prev.value) continue;
    const trailing = points.slice(Math.max(0, i - warningThresholds.trailingPoints), i);
    if (trailing.length < warningThresholds.minTrailingPoints) continue;
    const first = trailing[0]!;
    if (!(prev.value > first.value) || !(prev.at > first.at)) continue;
    const pace = (prev.value - first.value) / ((prev.at - first.at) / DAY_MS);
    const perDay = (p.value - prev.value) / Math.max((p.at - prev.at) / DAY_MS, 1);
    if (perDay > warningThresholds.jumpFactor * pace) flags.push({ code: 'jump', ...base, pacePerDay: pace });
  }
  return flags;
}
