import { Command } from 'commander';
import { calendarDay, parseAsOf } from '../evaluation/as-of.js';
import type { IndicatorRecord, TargetResult } from '../evaluation/evaluation-store.js';
import type { PacerServices } from '../main.js';
import { formatPercent, formatValue } from '../scorecard/scorecard-format.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';

/** `pacer evaluate [--at DATE] [--json] [--save]`. */
export function evaluateCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('evaluate')
    .description(
      'evaluate every target as of a date (what was known then) and print status, progress, projection and deadline',
    )
    .option(
      '--at <date>',
      'YYYY-MM-DD (the end of that day in the directive time zone) or an ISO date-time; default now',
    )
    .option('--json', 'print JSON')
    .option('--save', 'store the evaluation as a snapshot (runs of the scheduler are stored anyway)')
    .action(async (options: { at?: string; json?: boolean; save?: boolean }) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(
            io,
            async (services) => {
              const asOf = options.at ? await resolveAsOf(services, options.at) : new Date();
              const snapshot = await services.evaluation.compute(asOf);
              if (options.save) await services.evaluation.evaluate({ asOf, persist: true });
              const timezone = await services.catalog.defaultTimeZone();
              const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
              const { targetSummary } = await import('../scorecard/scorecard-service.js');
              if (options.json)
                io.out(
                  JSON.stringify(
                    {
                      as_of: asOf.toISOString(),
                      targets: snapshot.results.map((r) =>
                        targetSummary(r, indicators.get(r.target.indicatorId), timezone),
                      ),
                    },
                    null,
                    2,
                  ),
                );
              else printTable(io, snapshot.results, asOf, timezone, indicators);
            },
            { prepare: true },
          ),
        ),
      );
    });
}

/** A bare date means the end of that day in the directive time zone: everything dated that day is known. */
export async function resolveAsOf(services: PacerServices, text: string): Promise<Date> {
  return parseAsOf(text, await services.catalog.defaultTimeZone());
}

const pct = (x: number | null) => (x === null ? '-' : formatPercent(x));

function printTable(
  io: CliIo,
  results: TargetResult[],
  asOf: Date,
  timezone: string,
  indicators: ReadonlyMap<string, IndicatorRecord>,
): void {
  io.out(`as of ${asOf.toISOString()} (${timezone})`);
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
