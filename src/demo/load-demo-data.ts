import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { RegionIndex } from '../domain/regions/region-registry.js';
import { parseInstant } from '../domain/time/zoned-time.js';
import { InputError, type InputIssue } from '../errors/pacer-error.js';
import type { BatchLog, ObservationRow, ObservationWriter, WriteCounts } from '../ingest/observation-writer.js';
import type { RegionStore } from '../regions/region-store.js';

export interface DemoDataDeps {
  regions: RegionStore;
  writer: ObservationWriter;
  batches: BatchLog;
  knownIndicators: () => Promise<Set<string>>;
  /** Whether an earlier start already loaded the demo data. */
  isLoaded: () => Promise<boolean>;
  markLoaded: (info: { file: string; batchId: number }) => Promise<void>;
}

export type DemoLoadResult = { loaded: false } | ({ loaded: true; batchId: number; rows: number } & WriteCounts);

/**
 * Loads the shipped Scheme 06 figures (`observed_on,indicator,region,value,unit,note,source`) once
 * into a fresh database, so a newcomer's first `npm start` has real data to evaluate. The
 * provincial rows carry the province code in force on their date; each is resolved to that unit.
 */
export async function loadDemoData(deps: DemoDataDeps, file: string): Promise<DemoLoadResult> {
  // Two processes starting at once may both load: the upsert is idempotent, so the second finds every row unchanged.
  if (await deps.isLoaded()) return { loaded: false };
  const records = parseCsv(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  const index = new RegionIndex(await deps.regions.loadAll());
  const indicators = await deps.knownIndicators();
  const issues: InputIssue[] = [];
  const rows: ObservationRow[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    const code = r.region ?? '';
    const timezone = index.history(code)[0]?.timezone;
    const observedAt = timezone ? parseInstant(r.observed_on ?? '', timezone) : undefined;
    const region = observedAt ? index.resolve(code, observedAt) : undefined;
    const value = Number(r.value);
    if (!indicators.has(r.indicator ?? '')) issues.push({ code: 'unknown_indicator', file, line, field: 'indicator', message: `unknown indicator "${r.indicator}"` });
    else if (!region || !observedAt) issues.push({ code: 'unknown_region', file, line, field: 'region', message: `no region ${code} on ${r.observed_on}` });
    else if (!Number.isFinite(value)) issues.push({ code: 'invalid_value', file, line, field: 'value', message: `not a number: "${r.value}"` });
    else rows.push({ indicatorId: r.indicator!, regionId: region.id, observedAt, dims: {}, value, note: [r.note, r.source].filter(Boolean).join(' — ') || null });
  });
  if (issues.length > 0) throw new InputError(`demo data ${file} does not match the catalog`, issues, { code: 'invalid_demo_data' });

  const batchId = await deps.batches.open({ source: 'demo', feed: 'scheme06-figures' });
  const counts = await deps.writer.write(batchId, rows);
  await deps.batches.close(batchId, { status: 'committed', received: rows.length, rejected: 0, ...counts });
  await deps.markLoaded({ file, batchId });
  return { loaded: true, batchId, rows: rows.length, ...counts };
}
