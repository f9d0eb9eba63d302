import { formatNumber, formatPercent } from '../domain/format/value-format.js';
import type { BacktestDocument } from '../evaluation/backtest-schema.js';
import type { CliIo } from './cli-context.js';

const pct = (x: number | null) => (x === null ? '-' : formatPercent(x));
const brier = (x: number | null) => (x === null ? '-' : x.toFixed(3));

/** Columns padded to their widest cell, two spaces apart, numbers right-aligned. */
function table(io: CliIo, header: string[], rows: string[][], right: ReadonlySet<number>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  io.out(line(header));
  for (const row of rows) io.out(line(row));
}

/** A horizon band as people read it: "under 90 days", "90-179 days", "365 days or more". */
export function horizonLabel(h: { from_days: number; to_days: number | null }): string {
  if (h.to_days === null) return `${h.from_days} days or more`;
  return h.from_days === 0 ? `under ${h.to_days} days` : `${h.from_days}-${h.to_days - 1} days`;
}

/** `pacer backtest` as tables: per target and overall, lead time, error by horizon, reliability. */
export function printBacktest(io: CliIo, d: BacktestDocument): void {
  const o = d.overall;
  io.out(
    `Backtest: ${o.targets} decided targets (${o.achieved} achieved, ${o.missed} missed; ` +
      `${d.undecided_targets} undecided left out), ${d.steps.length} steps every ${d.every} ` +
      `from ${d.from} to ${d.to} (${d.timezone}), each as known then`,
  );
  io.out('');
  const rows = d.targets.map((t) => [
    t.target,
    t.outcome,
    t.due,
    String(t.steps),
    String(t.no_data_steps),
    `${t.correct_steps} of ${t.judged_steps}`,
    pct(t.accuracy),
    t.warned_from ?? '-',
    t.lead_days === null ? '-' : String(t.lead_days),
    t.value_at_deadline === null ? '-' : formatNumber(t.value_at_deadline),
    pct(t.mape),
    brier(t.brier),
  ]);
  rows.push([
    'ALL',
    '',
    '',
    String(o.steps),
    String(o.no_data_steps),
    `${o.correct_steps} of ${o.judged_steps}`,
    pct(o.accuracy),
    '',
    o.lead_days === null ? '-' : formatNumber(o.lead_days.mean),
    '',
    pct(o.mape),
    brier(o.brier),
  ]);
  const header = ['TARGET', 'OUTCOME', 'DUE', 'STEPS', 'NO DATA', 'RIGHT', 'ACCURACY', 'WARNED FROM', 'LEAD DAYS'];
  table(io, [...header, 'AT DEADLINE', 'MAPE', 'BRIER'], rows, new Set([3, 4, 6, 8, 9, 10, 11]));
  io.out('');
  const lead = o.lead_days
    ? `: lead time ${formatNumber(o.lead_days.mean)} days on average (median ${formatNumber(o.lead_days.median)}, ` +
      `${o.lead_days.min} to ${o.lead_days.max})`
    : '';
  io.out(`Warnings: ${o.warned} of ${o.missed} missed targets were warned until their deadline${lead}.`);
  io.out('');
  io.out(`Forecast error at the deadline (MAPE of the projection), by how far ahead: ${pct(o.mape)} overall`);
  table(
    io,
    ['HORIZON', 'STEPS', 'MAPE'],
    o.horizons.map((h) => [horizonLabel(h), String(h.steps), pct(h.mape)]),
    new Set([1, 2]),
  );
  io.out('');
  if (o.probability_steps === 0) {
    io.out('Chance to meet: no step gave one (it needs three values in the forecast window).');
    return;
  }
  io.out(`Chance to meet: Brier score ${brier(o.brier)} over ${o.probability_steps} steps (0 is perfect)`);
  table(
    io,
    ['CHANCE', 'STEPS', 'MEAN PREDICTED', 'OBSERVED'],
    o.reliability
      .filter((b) => b.steps > 0)
      .map((b) => [
        `${Math.round(b.from * 100)}-${Math.round(b.to * 100)}%`,
        String(b.steps),
        pct(b.mean_predicted),
        pct(b.observed_rate),
      ]),
    new Set([1, 2, 3]),
  );
}
