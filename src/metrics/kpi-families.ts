import { kpiMetrics, labels, targetStatuses } from '../conventions.js';
import { DEFAULT_UNLIKELY_BELOW } from '../domain/evaluation/target-evaluation.js';
import type { IndicatorRecord, IndicatorValue, TargetResult } from '../evaluation/evaluation-store.js';
import { labelPair, sample } from './exposition-writer.js';

/**
 * The KPI families of /metrics, in exposition order, and how one target or one indicator value
 * becomes their sample lines. The whole renderer and the segmented one both write from here, so
 * they cannot differ in a family, a label or an order.
 */

const k = kpiMetrics;
/** The gauge families with one sample per target: name, help, and the sample (none when null). */
export const targetValueFamilies: readonly [name: string, help: string, value: (r: TargetResult) => number | null][] = [
  [k.targetValue, 'The value the target must reach (or stay under, for at_most targets).', (r) => r.target.targetValue],
  [k.targetBaselineValue, 'The value the target started from, at its baseline date.', (r) => r.target.baselineValue],
  [
    k.targetCurrentValue,
    "The latest value of the target's indicator in its region at evaluation time (direct or rolled up).",
    (r) => r.current,
  ],
  [
    k.targetExpectedValue,
    'Where the value should be now on a straight (or milestone) pace from baseline to target.',
    (r) => r.expected,
  ],
  [
    k.targetProgressRatio,
    'Progress from baseline to target: (current - baseline) / (target - baseline).',
    (r) => r.progress,
  ],
  [
    k.targetExpectedProgressRatio,
    'Progress the pace expects by now: (expected - baseline) / (target - baseline).',
    (r) => r.expectedProgress,
  ],
  [
    k.targetProjectedValue,
    'Forecast value at the deadline (least squares over the trailing window, or the line from the baseline).',
    (r) => r.projected,
  ],
  [
    k.targetProjectedCompletionTimestampSeconds,
    'When the forecast line reaches the target value (absent when it moves away from it).',
    (r) => (r.projectedCompletionAt === null ? null : r.projectedCompletionAt / 1000),
  ],
  [
    k.targetDeadlineTimestampSeconds,
    "End of the due day in the directive's time zone.",
    (r) => r.target.deadline / 1000,
  ],
  [
    k.targetCoverageRatio,
    "Share of the region's parts that reported, for rolled-up values (1 for a direct observation).",
    (r) => r.coverage,
  ],
  [
    k.targetAttainmentProbability,
    'Chance (0..1) that the value at the deadline meets the target, from the prediction interval of the ' +
      'least-squares fit; 1 once achieved, 0 once missed; absent for tasks, no_data and fewer than 3 points.',
    (r) => r.attainmentProbability,
  ],
  [
    k.targetProjectedLowValue,
    'Low end of the 80% prediction band of the value at the deadline (the actual value once passed).',
    (r) => r.projectedLow,
  ],
  [
    k.targetProjectedHighValue,
    'High end of the 80% prediction band of the value at the deadline (the actual value once passed).',
    (r) => r.projectedHigh,
  ],
  [
    k.targetUnlikelyThreshold,
    `The chance to meet below which the target counts as unlikely (unlikely_below, default ${DEFAULT_UNLIKELY_BELOW}).`,
    (r) => r.target.unlikelyBelow ?? DEFAULT_UNLIKELY_BELOW,
  ],
];

/** A family with samples per target; `lines` appends one target's sample lines (none for a null value). */
export interface TargetFamily {
  name: string;
  help: string;
  lines(r: TargetResult, targetLabels: string, indicator: IndicatorRecord | undefined, out: string[]): void;
  /** How many lines `lines` appends for the target. */
  count(r: TargetResult): number;
}

/** The label string every target family shares: target, indicator, region, directive, owner. */
export function targetLabelString(r: TargetResult): string {
  const t = r.target;
  return (
    `${labelPair(labels.target, t.id)},${labelPair(labels.indicator, t.indicatorId)},` +
    `${labelPair(labels.region, t.regionCode)},${labelPair(labels.directive, t.directiveId)},` +
    labelPair(labels.owner, t.owner)
  );
}

const statusPairs = targetStatuses.map((s) => [s, labelPair(labels.status, s)] as const);

/** Every per-target family, in the order they are exposed: info, the values, status, reason. */
export const targetFamilies: readonly TargetFamily[] = [
  {
    name: k.targetInfo,
    help:
      'Target metadata as labels (value 1), to join human titles into alerts: ' +
      `* on(${labels.target}) group_left(${labels.title}) ${k.targetInfo}.`,
    lines(r, targetLabels, indicator, out) {
      const t = r.target;
      const meta =
        `${labelPair(labels.title, t.title)},${labelPair(labels.unit, indicator?.unit ?? '')},` +
        `${labelPair(labels.kind, indicator?.kind ?? '')},` +
        `${labelPair(labels.direction, t.direction)},${labelPair(labels.due, t.dueDate)}`;
      out.push(sample(k.targetInfo, `${targetLabels},${meta}`, 1));
    },
    count: () => 1,
  },
  ...targetValueFamilies.map(([name, help, value]): TargetFamily => ({
    name,
    help,
    lines(r, targetLabels, _indicator, out) {
      const v = value(r);
      if (v !== null) out.push(sample(name, targetLabels, v));
    },
    count: (r) => (value(r) === null ? 0 : 1),
  })),
  {
    name: k.targetStatus,
    help: 'Target status: one series per state, 1 for the current one and 0 for the others.',
    lines(r, targetLabels, _indicator, out) {
      for (const [s, pair] of statusPairs)
        out.push(sample(k.targetStatus, `${targetLabels},${pair}`, r.status === s ? 1 : 0));
    },
    count: () => statusPairs.length,
  },
  // One series per target (not one per reason, as for the status): alerts join it to name the reason.
  {
    name: k.targetStatusReason,
    help:
      `Why the target has its status: the ${labels.reason} label (value 1), to join into alerts: ` +
      `* on(${labels.target}) group_left(${labels.reason}) ${k.targetStatusReason}.`,
    lines(r, targetLabels, _indicator, out) {
      out.push(sample(k.targetStatusReason, `${targetLabels},${labelPair(labels.reason, r.reason)}`, 1));
    },
    count: () => 1,
  },
];

/**
 * What a target's samples are made of, in a fixed order: two results with equal keys render the same
 * lines (given the same indicators), so a renderer may keep the lines it wrote for the first.
 */
export function targetSeriesKey(r: TargetResult): unknown[] {
  const t = r.target;
  return [
    t.id,
    t.indicatorId,
    t.regionCode,
    t.directiveId,
    t.owner,
    t.title,
    t.direction,
    t.dueDate,
    r.status,
    r.reason,
    ...targetValueFamilies.map(([, , value]) => value(r)),
  ];
}

/** The families with one sample per indicator value: the value and when it was observed. */
export const indicatorFamilies: readonly {
  name: string;
  help: string;
  value: (v: IndicatorValue) => number;
}[] = [
  {
    name: k.indicatorValue,
    help:
      'Latest value of an indicator in a region in force at evaluation time: its own observation, ' +
      'or rolled up from child and predecessor regions.',
    value: (v) => v.value,
  },
  {
    name: k.indicatorObservedTimestampSeconds,
    help:
      'When the latest value of an indicator in a region was observed ' +
      '(the newest contributing observation for a rollup).',
    value: (v) => v.at / 1000,
  },
];

/** The label string of an indicator value's series: indicator, region, region name, level. */
export function indicatorLabelString(v: IndicatorValue): string {
  return (
    `${labelPair(labels.indicator, v.indicatorId)},${labelPair(labels.region, v.regionCode)},` +
    `${labelPair(labels.regionName, v.regionName)},${labelPair(labels.level, v.level)}`
  );
}

/** The last family: the instant the evaluation answers for. */
export const evaluationTimestampFamily = {
  name: k.evaluationTimestampSeconds,
  help: 'The instant the exported evaluation answers for.',
};
