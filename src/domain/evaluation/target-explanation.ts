import type { IndicatorKind, Rollup } from '../catalog/catalog-schema.js';
import type { Formatter } from '../language/formatter.js';
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
  /** The reader's language and the directive's time zone: dates are the calendar days people read there. */
  format: Formatter;
}

const DAY_MS = 86_400_000;

/**
 * One sentence, with the numbers, saying why the target has its status: the `explanation` beside
 * the `reason` code in the API, the CLI, the scorecard and the alerts. Written for the people who
 * act on it, in their language: what was reported, what the pace gives, by which date.
 */
export function explainTarget(
  spec: Pick<
    TargetSpec,
    'baselineValue' | 'targetValue' | 'deadline' | 'direction' | 'tolerance' | 'updateIntervalSeconds' | 'minCoverage'
  >,
  e: TargetEvaluation,
  context: ExplanationContext,
): string {
  const f = context.format;
  const say = f.messages.explain;
  const value = (x: number) => f.value(x, context.kind);
  const day = (ms: number) => f.day(ms);
  const target = f.targetValue(spec.targetValue, context.kind, spec.direction);
  const deadline = day(spec.deadline);
  const progressOf = (x: number) => f.percent((x - spec.baselineValue) / (spec.targetValue - spec.baselineValue));
  const milestone = e.missedMilestone
    ? say.milestoneMissed({
        day: day(e.missedMilestone.deadline),
        observed: value(e.missedMilestone.observed),
        value: value(e.missedMilestone.value),
      })
    : '';

  switch (e.reason) {
    case 'target_met':
      return say.targetMet({ met: day(e.achievedAt!), deadline, target });
    case 'deadline_passed': {
      const later = e.achievedLate ? say.metLater : '';
      if (e.valueAtDeadline === null) return say.deadlinePassedNoValue({ deadline }) + later;
      const atDeadline = value(e.valueAtDeadline);
      return (
        say.deadlinePassed({ deadline, value: atDeadline, target, progress: progressOf(e.valueAtDeadline) }) + later
      );
    }
    case 'incomplete_coverage': {
      const parts = e.parts;
      const judged = e.projected !== null && e.valueAtDeadline !== null ? e.valueAtDeadline : e.current;
      return say.incompleteCoverage({
        deadline: e.valueAtDeadline !== null ? deadline : null,
        reported: parts
          ? { count: parts.reported, total: parts.total, level: f.messages.level(parts.level, parts.total) }
          : null,
        needed: f.percent(spec.minCoverage ?? DEFAULT_MIN_COVERAGE),
        partial: judged === null ? null : { rollup: context.rollup, value: value(judged) },
      });
    }
    case 'no_report':
      return context.kind === 'milestone' ? say.noReportTask({ deadline }) : say.noReport({ deadline, target });
    case 'stale':
      return say.stale({
        value: value(e.current!),
        day: day(e.currentAt!),
        intervals: STALE_AFTER_INTERVALS,
        days: Math.round((STALE_AFTER_INTERVALS * spec.updateIntervalSeconds * 1000) / DAY_MS),
      });
    case 'task_open':
      return say.taskOpen({ deadline });
    case 'task_due_soon':
      return say.taskDueSoon({ deadline, days: MILESTONE_RISK_WINDOW_MS / DAY_MS });
    case 'milestone_missed':
    case 'forecast_meets':
    case 'forecast_short': {
      const pace = f.pacePerDay((e.forecast?.slope ?? 0) * DAY_MS, context.kind);
      const projected = value(e.projected!);
      if (e.reason !== 'forecast_short') return say.forecastMeets({ pace, projected, deadline, target }) + milestone;
      return (
        say.forecastShort({
          pace,
          projected,
          deadline,
          target,
          progress: progressOf(e.projected!),
          tolerance: f.percent(spec.tolerance ?? DEFAULT_TOLERANCE),
          within: e.status === 'at_risk',
        }) + milestone
      );
    }
  }
}
