import { calendarDay } from '../evaluation/as-of.js';
import type { IngestCatalog } from '../domain/observations/ingest-catalog.js';
import type { ObservationValidator } from '../domain/observations/observation-validator.js';
import {
  warningChecks,
  warningMessage,
  type ObservationWarning,
  type ObservationWarningCode,
} from '../domain/observations/observation-warnings.js';
import type { IngestTransaction, WarningSeries } from './ingest-store.js';

/** A batch's data-quality warnings: the first `keep` for the answer, and how many of each kind in all. */
export interface BatchWarnings {
  kept: ObservationWarning[];
  total: number;
  /** Warnings per indicator and code, for the metrics. */
  counts: { indicator: string; code: ObservationWarningCode; count: number }[];
}

/**
 * Checks the series the batch touched (from the validator's key index, gathered once) in the
 * batch's transaction and turns the flags into warnings on the records' lines: a flagged value the
 * batch wrote is reported on its own line; a stored value flagged because of the value the batch
 * wrote just before it, on that record's line.
 */
export async function findBatchWarnings(
  tx: IngestTransaction,
  validator: ObservationValidator,
  catalog: IngestCatalog,
  keep = 100,
): Promise<BatchWarnings> {
  const all = validator.series();
  const positions: number[] = [];
  const series: WarningSeries = {
    indicatorIds: [],
    regionIds: [],
    dims: [],
    minMs: [],
    maxMs: [],
    decrease: [],
    jump: [],
  };
  for (let i = 0; i < all.indicators.length; i++) {
    const indicator = catalog.indicators[all.indicators[i]!]!;
    const checks = warningChecks(indicator.kind);
    if (!checks.decrease && !checks.jump) continue;
    positions.push(all.indicators[i]!);
    series.indicatorIds.push(indicator.id);
    series.regionIds.push(all.regions[i]!);
    series.dims.push(all.dims[i]!);
    series.minMs.push(all.minMs[i]!);
    series.maxMs.push(all.maxMs[i]!);
    series.decrease.push(checks.decrease);
    series.jump.push(checks.jump);
  }
  const rows = await tx.checkWarnings(series);
  const warnings: ObservationWarning[] = [];
  const counts = new Map<string, BatchWarnings['counts'][number]>();
  for (const row of rows) {
    const s = row.series;
    const regionId = series.regionIds[s]!;
    const own = row.written;
    const line = validator.lineOf(positions[s]!, regionId, own ? row.at_ms : row.previous_ms, series.dims[s]!);
    if (line === undefined) continue;
    const timezone = catalog.timezoneOf(regionId);
    const flag = {
      code: row.code,
      at: row.at_ms,
      value: row.value,
      previousAt: row.previous_ms,
      previousValue: row.previous_value,
      pacePerDay: row.pace,
    };
    warnings.push({
      line,
      field: 'value',
      code: row.code,
      message: warningMessage(flag, (ms) => calendarDay(ms, timezone)!, !own),
    });
    const key = `${series.indicatorIds[s]}\0${row.code}`;
    const count = counts.get(key);
    if (count) count.count++;
    else counts.set(key, { indicator: series.indicatorIds[s]!, code: row.code, count: 1 });
  }
  warnings.sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
  return { kept: warnings.slice(0, keep), total: warnings.length, counts: [...counts.values()] };
}
