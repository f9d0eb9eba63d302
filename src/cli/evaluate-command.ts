import { Command } from 'commander';
import { formatAsOf } from '../domain/format/value-format.js';
import { parseAsOf } from '../evaluation/as-of.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';
import { figureColumns, statusHeader, statusRow } from './status-command.js';
import { textTable } from './text-table.js';

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
        await runCommand(io, async () => {
          // The date's format is checked before the database is opened, with the message `pacer status` gives.
          if (options.at) parseAsOf(options.at, 'UTC');
          await withServices(
            io,
            async (services) => {
              const asOf = await services.scorecard.resolveAsOf(options.at, '--at');
              const snapshot = await services.evaluation.compute(asOf);
              if (options.save) await services.evaluation.evaluate({ asOf, persist: true });
              const timezone = await services.catalog.defaultTimeZone();
              const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
              const { targetSummary, worstFirst } = await import('../scorecard/scorecard-service.js');
              // Worst first, as `pacer status` and the page list them.
              const targets = worstFirst(snapshot.results).map((r) =>
                targetSummary(r, indicators.get(r.target.indicatorId), timezone),
              );
              if (options.json) {
                io.out(JSON.stringify({ as_of: asOf.toISOString(), timezone, targets }, null, 2));
                return;
              }
              io.out(`${targets.length} targets as of ${formatAsOf(asOf, timezone)} (${timezone}), worst first`);
              const rows = targets.map((t) => [...statusRow(t), t.reason]);
              for (const line of textTable([...statusHeader, 'REASON'], rows, { right: figureColumns })) io.out(line);
            },
            { prepare: true },
          );
        }),
      );
    });
}
