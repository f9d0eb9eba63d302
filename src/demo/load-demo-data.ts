import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../errors/pacer-error.js';
import type { Ingestor, RawObservation } from '../observations/ingestor.js';
import type { WriteCounts } from '../observations/ingest-store.js';
import { endOfDay, parseCalendarDate } from '../domain/time/zoned-time.js';

export interface DemoDataDeps {
  ingestor: Ingestor;
  /** Whether an earlier start already loaded the demo data. */
  isLoaded: () => Promise<boolean>;
  markLoaded: (info: { file: string; batchId: number }) => Promise<void>;
  /** The catalog's time zone: a figure dated a day was published by the end of that day there. */
  timezone: string;
}

export type DemoLoadResult = { loaded: false } | ({ loaded: true; batchId: number; rows: number } & WriteCounts);

/**
 * Loads the shipped Scheme 06 figures (`observed_on,indicator,region,value,unit,note,source`) once
 * into a fresh database, so a newcomer's first `npm start` has real data to evaluate. The rows go
 * through the Ingestor like any push: the same validation (a provincial row's code is resolved to
 * the unit in force on its date), the same upsert, a batch in the audit trail.
 */
export async function loadDemoData(deps: DemoDataDeps, file: string): Promise<DemoLoadResult> {
  if (await deps.isLoaded()) return { loaded: false };
  const content = await readFile(file, 'utf8');
  const rows = parseCsv(content, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  const records: RawObservation[] = rows.map((r, i) => ({
    line: i + 2,
    indicator: r.indicator,
    region: r.region,
    observed_at: r.observed_on,
    value: r.value,
    note: [r.note, r.source].filter(Boolean).join(' — ') || undefined,
  }));
  const digest = createHash('sha256').update(content).digest('hex');
  // Each figure as Pacer would have recorded it had it been pushed the day it was published (its date, the end of
  // that day in the catalog's zone): the known-at views and the backtest then have a history to replay. One batch
  // a day; the keys make a second process starting at once replay the first one's batches.
  const days = new Map<string, RawObservation[]>();
  for (const r of records) days.set(String(r.observed_at), [...(days.get(String(r.observed_at)) ?? []), r]);
  try {
    const total = { rows: 0, inserted: 0, updated: 0, unchanged: 0 };
    let batchId = 0;
    for (const [day, list] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
      const date = parseCalendarDate(day);
      const summary = await deps.ingestor.ingest({
        source: 'demo',
        feed: 'scheme06-figures',
        mode: 'atomic',
        idempotencyKey: `demo/${digest}/${day}`,
        requestHash: `${digest}/${day}`,
        records: list,
        recordedAt: date ? endOfDay(date, deps.timezone) : undefined,
      });
      batchId = summary.batch_id!;
      total.rows += summary.received;
      total.inserted += summary.inserted;
      total.updated += summary.updated;
      total.unchanged += summary.unchanged;
    }
    await deps.markLoaded({ file, batchId });
    return { loaded: true, batchId, ...total };
  } catch (error) {
    if (error instanceof InputError && error.issues.length > 0)
      throw new InputError(
        `demo data ${file} does not match the catalog`,
        error.issues.map((i) => ({ ...i, file })),
        { code: 'invalid_demo_data', cause: error },
      );
    throw error;
  }
}
