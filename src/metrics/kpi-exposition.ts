import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { kpiMetrics, labels, targetStatuses } from '../conventions.js';
import { DEFAULT_UNLIKELY_BELOW } from '../domain/evaluation/target-evaluation.js';
import type { EvaluationSnapshot } from '../evaluation/evaluation-service.js';
import type { TargetResult } from '../evaluation/evaluation-store.js';
import { ExpositionWriter, labelPair, sample } from './exposition-writer.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const gzip = promisify(gzipCallback);

interface Family {
  name: string;
  help: string;
  lines: string[];
}

const k = kpiMetrics;
const targetFamilies: [name: string, help: string, value: (r: TargetResult) => number | null][] = [
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

/**
 * Renders the KPI families of one evaluation into Prometheus text. Target series come first, so
 * the series cap drops indicator breakdowns before any target. Every family has HELP and TYPE;
 * every series of a family has the same label names; there are no sample timestamps.
 */
export function renderKpiExposition(
  snapshot: EvaluationSnapshot,
  maxSeries: number,
): { text: string; series: number; dropped: number } {
  let budget = maxSeries;
  let dropped = 0;
  const take = () => (budget > 0 ? (budget--, true) : (dropped++, false));

  // Each target's label string is built (and escaped) once, then shared by every family.
  const targetLabels = snapshot.results.map((r) => {
    const t = r.target;
    return (
      `${labelPair(labels.target, t.id)},${labelPair(labels.indicator, t.indicatorId)},` +
      `${labelPair(labels.region, t.regionCode)},${labelPair(labels.directive, t.directiveId)},` +
      labelPair(labels.owner, t.owner)
    );
  });
  const families: Family[] = [];

  const info: Family = {
    name: k.targetInfo,
    help:
      'Target metadata as labels (value 1), to join human titles into alerts: ' +
      `* on(${labels.target}) group_left(${labels.title}) ${k.targetInfo}.`,
    lines: [],
  };
  const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
  snapshot.results.forEach((r, i) => {
    if (!take()) return;
    const t = r.target;
    const meta =
      `${labelPair(labels.title, t.title)},${labelPair(labels.unit, indicators.get(t.indicatorId)?.unit ?? '')},` +
      `${labelPair(labels.kind, indicators.get(t.indicatorId)?.kind ?? '')},` +
      `${labelPair(labels.direction, t.direction)},${labelPair(labels.due, t.dueDate)}`;
    info.lines.push(sample(k.targetInfo, `${targetLabels[i]},${meta}`, 1));
  });
  families.push(info);

  for (const [name, help, value] of targetFamilies) {
    const family: Family = { name, help, lines: [] };
    snapshot.results.forEach((r, i) => {
      const v = value(r);
      if (v !== null && take()) family.lines.push(sample(name, targetLabels[i]!, v));
    });
    families.push(family);
  }

  const status: Family = {
    name: k.targetStatus,
    help: 'Target status: one series per state, 1 for the current one and 0 for the others.',
    lines: [],
  };
  const statusPairs = targetStatuses.map((s) => [s, labelPair(labels.status, s)] as const);
  snapshot.results.forEach((r, i) => {
    for (const [s, pair] of statusPairs) {
      if (take()) status.lines.push(sample(k.targetStatus, `${targetLabels[i]},${pair}`, r.status === s ? 1 : 0));
    }
  });
  families.push(status);

  // One series per target (not one per reason, as for the status): alerts join it to name the reason.
  const reason: Family = {
    name: k.targetStatusReason,
    help:
      `Why the target has its status: the ${labels.reason} label (value 1), to join into alerts: ` +
      `* on(${labels.target}) group_left(${labels.reason}) ${k.targetStatusReason}.`,
    lines: [],
  };
  snapshot.results.forEach((r, i) => {
    if (take())
      reason.lines.push(sample(k.targetStatusReason, `${targetLabels[i]},${labelPair(labels.reason, r.reason)}`, 1));
  });
  families.push(reason);

  const value: Family = {
    name: k.indicatorValue,
    help:
      'Latest value of an indicator in a region in force at evaluation time: its own observation, ' +
      'or rolled up from child and predecessor regions.',
    lines: [],
  };
  const observed: Family = {
    name: k.indicatorObservedTimestampSeconds,
    help:
      'When the latest value of an indicator in a region was observed ' +
      '(the newest contributing observation for a rollup).',
    lines: [],
  };
  for (const v of snapshot.indicatorValues) {
    const l =
      `${labelPair(labels.indicator, v.indicatorId)},${labelPair(labels.region, v.regionCode)},` +
      `${labelPair(labels.regionName, v.regionName)},${labelPair(labels.level, v.level)}`;
    if (take()) value.lines.push(sample(k.indicatorValue, l, v.value));
    if (take()) observed.lines.push(sample(k.indicatorObservedTimestampSeconds, l, v.at / 1000));
  }
  families.push(value, observed);
  families.push({
    name: k.evaluationTimestampSeconds,
    help: 'The instant the exported evaluation answers for.',
    lines: [sample(k.evaluationTimestampSeconds, '', snapshot.asOf.getTime() / 1000)],
  });

  const writer = new ExpositionWriter();
  for (const f of families) writer.family(f.name, 'gauge', f.help, f.lines);
  return { text: writer.text(), series: maxSeries - budget, dropped };
}

/**
 * The KPI part of `/metrics`, rendered once per evaluation (text and gzip) and then only
 * concatenated by scrapes: a scrape never walks 100k series.
 */
export class KpiExposition {
  private state: { runId: number | null; asOf: Date | null; text: Buffer; gzip: Buffer } = {
    runId: null,
    asOf: null,
    text: Buffer.alloc(0),
    gzip: Buffer.alloc(0),
  };
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: { maxSeries: number; metrics?: PipelineMetrics }) {}

  /** Renders a snapshot; a newer snapshot never gets replaced by an older one finishing later. */
  update(snapshot: EvaluationSnapshot): Promise<void> {
    this.pending = this.pending.then(async () => {
      if (this.state.asOf && snapshot.runId !== null && this.state.runId !== null && snapshot.runId < this.state.runId)
        return;
      const { text, series, dropped } = renderKpiExposition(snapshot, this.options.maxSeries);
      const bytes = Buffer.from(text);
      const compressed = await gzip(bytes);
      this.state = { runId: snapshot.runId, asOf: snapshot.asOf, text: bytes, gzip: compressed };
      this.options.metrics?.kpiSeries.set(series);
      this.options.metrics?.kpiSeriesDropped.set(dropped);
    });
    return this.pending;
  }

  get runId(): number | null {
    return this.state.runId;
  }

  /** The rendered exposition as UTF-8 bytes, and gzipped: scrapes send these without copying. */
  get current(): { text: Buffer; gzip: Buffer; asOf: Date | null } {
    return this.state;
  }
}
