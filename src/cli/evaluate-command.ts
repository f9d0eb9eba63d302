import { Command } from 'commander';
import { formatLocalDateTime } from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import { calendarDay, parseAsOf, parseKnownAt } from '../evaluation/as-of.js';
import type { IndicatorRecord, TargetResult } from '../evaluation/evaluation-store.js';
import { formatPercent, formatValue } from '../scorecard/scorecard-format.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';

/** The help of `--at` and `--known-at`, the same for `pacer evaluate`, `pacer status` and `pacer report`. */
export const atHelp =
  'the values dated up to DATE: YYYY-MM-DD (the end of that day in the directive time zone) or an ISO ' +
  'date-time; default now';
export const knownAtHelp =
  'only what Pacer had recorded by then, each value as it stood then (a correction recorded later is left out); ' +
  'read like --at, not in the future; default now, with every correction. --known-at = --at: "as known then"';

/** `pacer evaluate [--at DATE] [--known-at DATE] [--json] [--save]`. */
export function evaluateCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('evaluate')
    .description(
      'evaluate every target as of a date (the values dated up to it; as Pacer knew them then with --known-at) and ' +
        'print status, progress, projection and deadline',
    )
    .option('--at <date>', atHelp)
    .option('--known-at <date>', knownAtHelp)
    .option('--json', 'print JSON')
    .option(
      '--save',
      'store the evaluation as a snapshot (runs of the scheduler are stored anyway); not with --known-at',
    )
    .action(async (options: { at?: string; knownAt?: string; json?: boolean; save?: boolean }) => {
      setExitCode(
        await runCommand(io, () => {
          // Checked before the database is opened.
          if (options.at) parseAsOf(options.at, 'UTC');
          if (options.knownAt) parseAsOf(options.knownAt, 'UTC', '--known-at');
          if (options.knownAt && options.save) {
            const message = 'a stored run is what was known when it ran: an evaluation as known earlier is not stored';
            throw new InputError(`--save: ${message}`, [{ code: 'invalid_option', field: '--save', message }]);
          }
          return withServices(
            io,
            async (services) => {
              const timezone = await services.catalog.defaultTimeZone();
              const asOf = options.at ? parseAsOf(options.at, timezone) : new Date();
              const knownAt = options.knownAt ? parseKnownAt(options.knownAt, timezone, new Date()) : undefined;
              const snapshot = await services.evaluation.compute(asOf, { knownAt });
              if (options.save) await services.evaluation.evaluate({ asOf, persist: true });
              const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
              const { targetSummary } = await import('../scorecard/scorecard-service.js');
              if (options.json)
                io.out(
                  JSON.stringify(
                    {
                      as_of: asOf.toISOString(),
                      known_at: knownAt?.toISOString() ?? null,
                      targets: snapshot.results.map((r) =>
                        targetSummary(r, indicators.get(r.target.indicatorId), timezone),
                      ),
                    },
                    null,
                    2,
                  ),
                );
              else printTable(io, snapshot.results, asOf, knownAt, timezone, indicators);
            },
            { prepare: true },
          );
        }),
      );
    });
}

const pct = (x: number | null) => (x === null ? '-' : formatPercent(x));

function printTable(
  io: CliIo,
  results: TargetResult[],
  asOf: Date,
  knownAt: Date | undefined,
  timezone: string,
  indicators: ReadonlyMap<string, IndicatorRecord>,
): void {
  const known = knownAt ? `, as known at ${formatLocalDateTime(knownAt, timezone)}` : '';
  io.out(`as of ${asOf.toISOString()} (${timezone})${known}`);
  const rows = results.map((r) => {
    const kind = indicators.get(r.target.indicatorId)?.kind ?? 'level';
    const num = (x: number | null) => (x === null ? '-' : formatValue(x, kind));
    return [
      r.target.id,
      r.status + (r.achievedLate ? ' (achieved late)' : ''),
      pct(r.progress),
      pct(r.expectedProgress),
      num(r.current),
      kind === 'milestone' ? '-' : num(r.projected),
      num(r.target.targetValue),
      calendarDay(r.projectedCompletionAt, timezone) ?? '-',
      r.target.dueDate,
      r.reason,
    ];
  });
  const header = [
    'TARGET',
    'STATUS',
    'PROGRESS',
    'EXPECTED',
    'CURRENT',
    'PROJECTED',
    'TARGET',
    'COMPLETION',
    'DUE',
    'REASON',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.out(line(header));
  for (const row of rows) io.out(line(row));
}
