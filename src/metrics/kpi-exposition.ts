import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { targetStatuses } from '../domain/evaluation/target-evaluation.js';
import type { EvaluationSnapshot } from '../evaluation/evaluation-service.js';
import type { TargetResult } from '../evaluation/evaluation-store.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const gzip = promisify(gzipCallback);

/** Prometheus text format: backslash, double quote and newline escaped in label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Family {
  name: string;
  help: string;
  lines: string[];
}

const targetFamilies: [name: string, help: string, value: (r: TargetResult) => number | null][] = [
  ['kpi_target_value', 'The value the target must reach (or stay under, for at_most targets).', (r) => r.target.targetValue],
  ['kpi_target_baseline_value', 'The value the target started from, at its baseline date.', (r) => r.target.baselineValue],
  ['kpi_target_current_value', 'The latest value of the target\'s indicator in its region at evaluation time (direct or rolled up).', (r) => r.current],
  ['kpi_target_expected_value', 'Where the value should be now on a straight (or milestone) pace from baseline to target.', (r) => r.expected],
  ['kpi_target_progress_ratio', 'Progress from baseline to target: (current - baseline) / (target - baseline).', (r) => r.progress],
  ['kpi_target_expected_progress_ratio', 'Progress the pace expects by now: (expected - baseline) / (target - baseline).', (r) => r.expectedProgress],
  ['kpi_target_projected_value', 'Forecast value at the deadline (least squares over the trailing window, or the line from the baseline).', (r) => r.projected],
  ['kpi_target_projected_completion_timestamp_seconds', 'When the forecast line reaches the target value (absent when it moves away from it).', (r) => (r.projectedCompletionAt === null ? null : r.projectedCompletionAt / 1000)],
  ['kpi_target_deadline_timestamp_seconds', 'End of the due day in the directive\'s time zone.', (r) => r.target.deadline / 1000],
  ['kpi_target_coverage_ratio', 'Share of the region\'s parts that reported, for rolled-up values (1 for a direct observation).', (r) => r.coverage],
];

/**
 * Renders the KPI families of one evaluation into Prometheus text. Target series come first, so
 * the series cap drops indicator breakdowns before any target. Every family has HELP and TYPE;
 * every series of a family has the same label names; there are no sample timestamps.
 */
export function renderKpiExposition(snapshot: EvaluationSnapshot, maxSeries: number): { text: string; series: number; dropped: number } {
  let budget = maxSeries;
  let dropped = 0;
  const take = () => (budget > 0 ? (budget--, true) : (dropped++, false));

  const labels = snapshot.results.map((r) => {
    const t = r.target;
    return `target="${escapeLabelValue(t.id)}",indicator="${escapeLabelValue(t.indicatorId)}",region="${escapeLabelValue(t.regionCode)}",directive="${escapeLabelValue(t.directiveId)}",owner="${escapeLabelValue(t.owner)}"`;
  });
  const families: Family[] = [];

  const info: Family = { name: 'kpi_target_info', help: 'Target metadata as labels (value 1), to join human titles into alerts: * on(target) group_left(title) kpi_target_info.', lines: [] };
  const units = new Map(snapshot.indicators.map((i) => [i.id, i.unit]));
  snapshot.results.forEach((r, i) => {
    if (!take()) return;
    const t = r.target;
    info.lines.push(`kpi_target_info{${labels[i]},title="${escapeLabelValue(t.title)}",unit="${escapeLabelValue(units.get(t.indicatorId) ?? '')}",direction="${t.direction}",due="${t.dueDate}"} 1`);
  });
  families.push(info);

  for (const [name, help, value] of targetFamilies) {
    const family: Family = { name, help, lines: [] };
    snapshot.results.forEach((r, i) => {
      const v = value(r);
      if (v !== null && take()) family.lines.push(`${name}{${labels[i]}} ${formatValue(v)}`);
    });
    families.push(family);
  }

  const status: Family = { name: 'kpi_target_status', help: 'Target status: one series per state, 1 for the current one and 0 for the others.', lines: [] };
  snapshot.results.forEach((r, i) => {
    for (const s of targetStatuses) if (take()) status.lines.push(`kpi_target_status{${labels[i]},status="${s}"} ${r.status === s ? 1 : 0}`);
  });
  families.push(status);

  const value: Family = { name: 'kpi_indicator_value', help: 'Latest value of an indicator in a region in force at evaluation time: its own observation, or rolled up from child and predecessor regions.', lines: [] };
  const observed: Family = { name: 'kpi_indicator_observed_timestamp_seconds', help: 'When the latest value of an indicator in a region was observed (the newest contributing observation for a rollup).', lines: [] };
  for (const v of snapshot.indicatorValues) {
    const l = `indicator="${escapeLabelValue(v.indicatorId)}",region="${escapeLabelValue(v.regionCode)}",region_name="${escapeLabelValue(v.regionName)}",level="${escapeLabelValue(v.level)}"`;
    if (take()) value.lines.push(`kpi_indicator_value{${l}} ${formatValue(v.value)}`);
    if (take()) observed.lines.push(`kpi_indicator_observed_timestamp_seconds{${l}} ${formatValue(v.at / 1000)}`);
  }
  families.push(value, observed);
  families.push({ name: 'kpi_evaluation_timestamp_seconds', help: 'The instant the exported evaluation answers for.', lines: [`kpi_evaluation_timestamp_seconds ${formatValue(snapshot.asOf.getTime() / 1000)}`] });

  const parts: string[] = [];
  for (const f of families) {
    parts.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} gauge\n`);
    if (f.lines.length > 0) parts.push(f.lines.join('\n'), '\n');
  }
  return { text: parts.join(''), series: maxSeries - budget, dropped };
}

/**
 * The KPI part of `/metrics`, rendered once per evaluation (text and gzip) and then only
 * concatenated by scrapes: a scrape never walks 100k series.
 */
export class KpiExposition {
  private state: { runId: number | null; asOf: Date | null; text: Buffer; gzip: Buffer } = { runId: null, asOf: null, text: Buffer.alloc(0), gzip: Buffer.alloc(0) };
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: { maxSeries: number; metrics?: PipelineMetrics }) {}

  /** Renders a snapshot; a newer snapshot never gets replaced by an older one finishing later. */
  update(snapshot: EvaluationSnapshot): Promise<void> {
    this.pending = this.pending.then(async () => {
      if (this.state.asOf && snapshot.runId !== null && this.state.runId !== null && snapshot.runId < this.state.runId) return;
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
