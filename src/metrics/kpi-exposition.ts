import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import type { EvaluationSnapshot } from '../evaluation/evaluation-service.js';
import type { IndicatorValue, TargetResult } from '../evaluation/evaluation-store.js';
import { ExpositionWriter, escapeHelp, sample } from './exposition-writer.js';
import {
  evaluationTimestampFamily,
  indicatorFamilies,
  indicatorLabelString,
  targetFamilies,
  targetLabelString,
  targetSeriesKey,
} from './kpi-families.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const gzip = promisify(gzipCallback);

/**
 * Renders the KPI families of one evaluation into Prometheus text, whole. Target series come first,
 * so the series cap drops indicator breakdowns before any target. Every family has HELP and TYPE;
 * every series of a family has the same label names; there are no sample timestamps.
 */
export function renderKpiExposition(
  snapshot: EvaluationSnapshot,
  maxSeries: number,
): { text: string; series: number; dropped: number } {
  let budget = maxSeries;
  let dropped = 0;
  const take = () => (budget > 0 ? (budget--, true) : (dropped++, false));
  const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
  // Each target's label string is built (and escaped) once, then shared by every family.
  const targetLabels = snapshot.results.map(targetLabelString);
  const writer = new ExpositionWriter();
  const scratch: string[] = [];
  for (const family of targetFamilies) {
    const lines: string[] = [];
    snapshot.results.forEach((r, i) => {
      scratch.length = 0;
      family.lines(r, targetLabels[i]!, indicators.get(r.target.indicatorId), scratch);
      for (const line of scratch) if (take()) lines.push(line);
    });
    writer.family(family.name, 'gauge', family.help, lines);
  }
  // The cap takes an indicator value's series together, region by region.
  const perFamily = indicatorFamilies.map(() => [] as string[]);
  for (const v of snapshot.indicatorValues) {
    const labels = indicatorLabelString(v);
    indicatorFamilies.forEach((f, j) => {
      if (take()) perFamily[j]!.push(sample(f.name, labels, f.value(v)));
    });
  }
  indicatorFamilies.forEach((f, j) => writer.family(f.name, 'gauge', f.help, perFamily[j]!));
  writer.family(evaluationTimestampFamily.name, 'gauge', evaluationTimestampFamily.help, [
    sample(evaluationTimestampFamily.name, '', snapshot.asOf.getTime() / 1000),
  ]);
  return { text: writer.text(), series: maxSeries - budget, dropped };
}

/** One cached piece of the exposition: its text and its gzip member. */
interface Segment {
  text: Buffer;
  gzip: Buffer;
}

/** Targets per segment: a push that changes a few targets re-renders a few segments of each family. */
const TARGETS_PER_SEGMENT = 250;

async function segmentOf(text: string): Promise<Segment> {
  const bytes = Buffer.from(text);
  return { text: bytes, gzip: await gzip(bytes) };
}

/** The lines of each target family for some targets, one string per family. */
function targetChunks(results: readonly TargetResult[], snapshot: EvaluationSnapshot): string[] {
  const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
  const labels = results.map(targetLabelString);
  return targetFamilies.map((family) => {
    const lines: string[] = [];
    results.forEach((r, i) => family.lines(r, labels[i]!, indicators.get(r.target.indicatorId), lines));
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  });
}

function sameKeys(a: readonly unknown[][], b: readonly unknown[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) return false;
  }
  return true;
}

/** What an indicator value's samples are made of. */
function valueKey(v: IndicatorValue): unknown[] {
  return [v.indicatorId, v.regionCode, v.regionName, v.level, v.value, v.at];
}

/**
 * The KPI part of `/metrics`, rendered once per evaluation (text and gzip) and then only sent by
 * scrapes: a scrape never walks 100k series. The exposition is kept in segments (each family's
 * header; each family's lines for a slice of the targets; each indicator's values) with a gzip
 * member each, so an evaluation that changed a few targets re-renders and re-compresses only
 * their slices and their indicators' values; the rest is sent as it was. Over the series cap the
 * whole exposition is rendered at once, as {@link renderKpiExposition} drops series in order.
 */
export class KpiExposition {
  private state: { runId: number | null; asOf: Date | null; text: Buffer[]; gzip: Buffer[] } = {
    runId: null,
    asOf: null,
    text: [],
    gzip: [],
  };
  private pending: Promise<void> = Promise.resolve();
  /** Per slice of targets: the keys of its targets, and one segment per target family. */
  private slices: { keys: unknown[][]; segments: Segment[] }[] = [];
  /** Per indicator: the keys of its values, and one segment per indicator family. */
  private values = new Map<string, { keys: unknown[][]; segments: Segment[] }>();
  private readonly headers = new Map<string, Segment>();
  /** The indicators' units and kinds the cached segments were written with. */
  private indicatorsKey = '';

  constructor(private readonly options: { maxSeries: number; metrics?: PipelineMetrics }) {}

  /** Renders a snapshot; a newer snapshot never gets replaced by an older one finishing later. */
  update(snapshot: EvaluationSnapshot): Promise<void> {
    this.pending = this.pending.then(async () => {
      if (this.state.asOf && snapshot.runId !== null && this.state.runId !== null && snapshot.runId < this.state.runId)
        return;
      const rendered = await this.render(snapshot);
      this.state = { runId: snapshot.runId, asOf: snapshot.asOf, ...rendered };
      this.options.metrics?.kpiSeries.set(rendered.series);
      this.options.metrics?.kpiSeriesDropped.set(rendered.dropped);
    });
    return this.pending;
  }

  private async render(
    snapshot: EvaluationSnapshot,
  ): Promise<{ text: Buffer[]; gzip: Buffer[]; series: number; dropped: number }> {
    const series = countSeries(snapshot);
    if (series > this.options.maxSeries) {
      this.slices = [];
      this.values.clear();
      const whole = renderKpiExposition(snapshot, this.options.maxSeries);
      const segment = await segmentOf(whole.text);
      return { text: [segment.text], gzip: [segment.gzip], series: whole.series, dropped: whole.dropped };
    }
    const indicatorsKey = JSON.stringify(snapshot.indicators.map((i) => [i.id, i.unit, i.kind]));
    if (indicatorsKey !== this.indicatorsKey) {
      this.slices = [];
      this.indicatorsKey = indicatorsKey;
    }
    const slices = await Promise.all(
      Array.from({ length: Math.ceil(snapshot.results.length / TARGETS_PER_SEGMENT) }, async (_, s) => {
        const results = snapshot.results.slice(s * TARGETS_PER_SEGMENT, (s + 1) * TARGETS_PER_SEGMENT);
        const keys = results.map(targetSeriesKey);
        const cached = this.slices[s];
        if (cached && sameKeys(cached.keys, keys)) return cached;
        return { keys, segments: await Promise.all(targetChunks(results, snapshot).map(segmentOf)) };
      }),
    );
    this.slices = slices;

    const byIndicator = new Map<string, IndicatorValue[]>();
    for (const v of snapshot.indicatorValues) {
      const list = byIndicator.get(v.indicatorId);
      if (list) list.push(v);
      else byIndicator.set(v.indicatorId, [v]);
    }
    const values = new Map(
      await Promise.all(
        [...byIndicator].map(async ([id, list]) => {
          const keys = list.map(valueKey);
          const cached = this.values.get(id);
          if (cached && sameKeys(cached.keys, keys)) return [id, cached] as const;
          const labels = list.map(indicatorLabelString);
          const chunks = indicatorFamilies.map(
            (f) => `${list.map((v, i) => sample(f.name, labels[i]!, f.value(v))).join('\n')}\n`,
          );
          return [id, { keys, segments: await Promise.all(chunks.map(segmentOf)) }] as const;
        }),
      ),
    );
    this.values = values;

    const parts: Segment[] = [];
    targetFamilies.forEach((family, f) => {
      parts.push(this.header(family.name, family.help));
      for (const slice of slices) parts.push(slice.segments[f]!);
    });
    indicatorFamilies.forEach((family, f) => {
      parts.push(this.header(family.name, family.help));
      for (const entry of values.values()) parts.push(entry.segments[f]!);
    });
    const stamp = evaluationTimestampFamily;
    parts.push(
      this.header(stamp.name, stamp.help),
      await segmentOf(`${sample(stamp.name, '', snapshot.asOf.getTime() / 1000)}\n`),
    );
    const nonEmpty = parts.filter((p) => p.text.length > 0);
    return { text: nonEmpty.map((p) => p.text), gzip: nonEmpty.map((p) => p.gzip), series, dropped: 0 };
  }

  private header(name: string, help: string): Segment {
    let segment = this.headers.get(name);
    if (!segment) {
      const text = Buffer.from(`# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge\n`);
      // Headers are few and small: compressed at once, and kept for the life of the process.
      segment = { text, gzip: gzipSync(text) };
      this.headers.set(name, segment);
    }
    return segment;
  }

  get runId(): number | null {
    return this.state.runId;
  }

  /**
   * The rendered exposition as UTF-8 byte segments, and as a gzip member per segment (their
   * concatenation is one multi-member gzip stream): scrapes send these without copying.
   */
  get current(): { text: readonly Buffer[]; gzip: readonly Buffer[]; asOf: Date | null } {
    return this.state;
  }
}

/** The KPI series a snapshot has, before any cap. */
function countSeries(snapshot: EvaluationSnapshot): number {
  let n = indicatorFamilies.length * snapshot.indicatorValues.length;
  for (const r of snapshot.results) for (const family of targetFamilies) n += family.count(r);
  return n;
}
