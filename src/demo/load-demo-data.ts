import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../errors/pacer-error.js';
import type { Ingestor, RawObservation } from '../observations/ingestor.js';
import type { WriteCounts } from '../observations/ingest-store.js';

export interface DemoDataDeps {
  ingestor: Ingestor;
  /** Whether an earlier start already loaded the demo data. */
  isLoaded: () => Promise<boolean>;
  markLoaded: (info: { file: string; batchId: number }) => Promise<void>;
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
  try {
    // Two processes starting at once both get here: the key makes the second one's batch a replay of the first.
    const summary = await deps.ingestor.ingest({
      source: 'demo',
      feed: 'scheme06-figures',
      mode: 'atomic',
      idempotencyKey: `demo/${digest}`,
      requestHash: digest,
      records,
    });
    await deps.markLoaded({ file, batchId: summary.batch_id! });
    return {
      loaded: true,
      batchId: summary.batch_id!,
      rows: summary.received,
      inserted: summary.inserted,
      updated: summary.updated,
      unchanged: summary.unchanged,
    };
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
