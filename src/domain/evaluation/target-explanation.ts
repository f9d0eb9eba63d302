import type { IndicatorKind, Rollup } from '../catalog/catalog-schema.js';
import { formatDay, formatPacePerDay, formatPercent, formatValue } from '../format/value-format.js';
import {
  DEFAULT_MIN_COVERAGE,
  DEFAULT_TOLERANCE,
  MILESTONE_RISK_WINDOW_MS,
  STALE_AFTER_INTERVALS,
  type TargetEvaluation,
  type TargetSpec,
} from './target-evaluation.js';

/** What the sentence needs beyond the evaluation: how to write the indicator's values and dates. */
export interface ExplanationContext {
  kind: IndicatorKind;
  rollup: Rollup;
  /** The directive's time zone: dates are the calendar days people read there. */
  timezone: string;
}

const DAY_MS = 86_400_000;

/** "provinces" from "province": the parts a rollup counts, as the sentence names them. */
function plural(level: string | null, count: number): string {
  const word = level ?? 'part';
  return count === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`;
}

/**
 * One sentence, with the numbers, saying why the target has its status: the `explanation` beside
 * the `reason` code in the API, the CLI, the scorecard and the alerts. Written for the people who
 * act on it: what was reported, what the pace gives, by which date.
 */
export function explainTarget(
  spec: Pick<
    TargetSpec,
    'baselineValue' | 'targetValue' | 'deadline' | 'direction' | 'tolerance' | 'updateIntervalSeconds' | 'minCoverage'
  >,
  e: TargetEvaluation,
  context: ExplanationContext,
): string {
  const value = (x: number) => formatValue(x, context.kind);
  const day = (ms: number) => formatDay(ms, context.timezone);
  const target = `${spec.direction === 'at_most' ? 'at most ' : ''}${value(spec.targetValue)}`;
  const deadline = day(spec.deadline);
  const progressOf = (x: number) => formatPercent((x - spec.baselineValue) / (spec.targetValue - spec.baselineValue));
  const milestone = e.missedMilestone
    ? ` The milestone of ${day(e.missedMilestone.deadline)} was missed: ${value(e.missedMilestone.observed)} ` +
      `against ${value(e.missedMilestone.value)}.`
    : '';

  switch (e.reason) {
    case 'target_met':
      return `Met on ${day(e.achievedAt!)}, by the deadline of ${deadline}: the target was ${target}.`;
    case 'deadline_passed': {
      const later = e.achievedLate ? ' The target was met later.' : '';
      if (e.valueAtDeadline === null)
        return `The deadline of ${deadline} passed with no value reported by then.${later}`;
      return (
        `The deadline of ${deadline} passed at ${value(e.valueAtDeadline)} of ${target} ` +
        `(${progressOf(e.valueAtDeadline)}).${later}`
      );
    }
    case 'incomplete_coverage': {
      const parts = e.parts;
      const needed = formatPercent(spec.minCoverage ?? DEFAULT_MIN_COVERAGE);
      const judged = e.projected !== null && e.valueAtDeadline !== null ? e.valueAtDeadline : e.current;
      const counted = parts
        ? `${parts.reported} of ${parts.total} ${plural(parts.level, parts.total)} reported`
        : 'too few parts reported';
      const by = e.valueAtDeadline !== null ? `By the deadline of ${deadline}, only ` : 'Only ';
      const sum = judged === null ? '' : `; their partial ${context.rollup} is ${value(judged)}`;
      return `${by}${counted} (at least ${needed} needed)${sum}.`;
    }
    case 'no_report':
      return context.kind === 'milestone'
        ? `No report on this task yet; it is due ${deadline}.`
        : `No value has been reported yet; the target is ${target} by ${deadline}.`;
    case 'stale': {
      const days = Math.round((STALE_AFTER_INTERVALS * spec.updateIntervalSeconds * 1000) / DAY_MS);
      return (
        `The latest value, ${value(e.current!)} of ${day(e.currentAt!)}, is older than ${STALE_AFTER_INTERVALS} ` +
        `update intervals (${days} days): no current figure to judge.`
      );
    }
    case 'task_open':
      return `Reported not done; due ${deadline}.`;
    case 'task_due_soon':
      return `Not done, and due within ${MILESTONE_RISK_WINDOW_MS / DAY_MS} days, on ${deadline}.`;
    case 'milestone_missed':
    case 'forecast_meets':
    case 'forecast_short': {
      const perDay = (e.forecast?.slope ?? 0) * DAY_MS;
      const pace = formatPacePerDay(perDay, context.kind);
      const projected = e.projected!;
      const reaches = `At ${pace} the forecast reaches ${value(projected)}`;
      if (e.reason !== 'forecast_short') return `${reaches} by ${deadline}, meeting the target ${target}.${milestone}`;
      const band = formatPercent(spec.tolerance ?? DEFAULT_TOLERANCE);
      const verdict =
        e.status === 'at_risk' ? `short, within the ${band} tolerance` : `short beyond the ${band} tolerance`;
      return (
        `At ${pace} the forecast reaches ${value(projected)} of ${target} by ${deadline} ` +
        `(${progressOf(projected)}): ${verdict}.${milestone}`
      );
    }
  }
}
