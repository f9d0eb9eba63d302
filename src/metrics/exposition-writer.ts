/**
 * Prometheus text exposition format (0.0.4), written by hand for the families Pacer renders from
 * its own data (the KPI families, the feed families) rather than holds in prom-client. Everything
 * that escapes or formats lives here, so the two renderers cannot drift apart.
 *
 * Rendering ~200k series must stay cheap: callers build a series' label string once with
 * `labelPair` and reuse it for every family, and `sample` is a single string template.
 */

/** The metric types Pacer's hand-rendered families use. */
export type MetricType = 'gauge' | 'counter' | 'histogram';

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes `# HELP` text: backslash and newline (a quote needs no escape there). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the format spells it: `NaN`, `+Inf`, `-Inf`, or the shortest decimal. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** One `name="value"` label pair, the value escaped; join pairs with `,` into a label string. */
export function labelPair(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}"`;
}

/** One sample line without its newline: `name{labels} value`, or `name value` when `labels` is empty. */
export function sample(name: string, labels: string, value: number): string {
  return labels === '' ? `${name} ${formatSampleValue(value)}` : `${name}{${labels}} ${formatSampleValue(value)}`;
}

/** What a histogram series counted: cumulative counts per upper bound (the `+Inf` bucket is `count`). */
export interface HistogramCounts {
  buckets: readonly number[];
  sum: number;
  count: number;
}

/**
 * The lines of one histogram series: a `_bucket` line per upper bound plus `le="+Inf"`, then
 * `_sum` and `_count`. `upperBounds` and `counts.buckets` are parallel.
 */
export function histogramSamples(
  name: string,
  labels: string,
  upperBounds: readonly number[],
  counts: HistogramCounts,
): string[] {
  const bucket = `${name}_bucket`;
  const prefix = labels === '' ? '' : `${labels},`;
  const lines = upperBounds.map((b, i) => sample(bucket, `${prefix}le="${formatSampleValue(b)}"`, counts.buckets[i]!));
  lines.push(
    sample(bucket, `${prefix}le="+Inf"`, counts.count),
    sample(`${name}_sum`, labels, counts.sum),
    sample(`${name}_count`, labels, counts.count),
  );
  return lines;
}

/**
 * Accumulates families into one exposition: each family is its `# HELP` and `# TYPE` lines
 * followed by its samples, every line ending in a newline. One writer per rendering.
 */
export class ExpositionWriter {
  private readonly parts: string[] = [];

  /** Appends a family; `lines` are sample lines without newlines, as `sample` returns them. */
  family(name: string, type: MetricType, help: string, lines: readonly string[]): this {
    this.parts.push(`# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`);
    if (lines.length > 0) this.parts.push(lines.join('\n'), '\n');
    return this;
  }

  /** The exposition text so far. */
  text(): string {
    return this.parts.join('');
  }
}
