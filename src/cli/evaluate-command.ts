import { Command } from 'commander';
import { formatAsOf } from '../domain/format/value-format.js';
import { formatLocalDateTime } from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import { parseAsOf, parseKnownAt } from '../evaluation/as-of.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';
import { figureColumns, statusHeader, statusRow } from './status-command.js';
import { textTable } from './text-table.js';

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
        await runCommand(io, async () => {
          // The dates' format is checked before the database is opened, with the message `pacer status` gives.
          if (options.at) parseAsOf(options.at, 'UTC');
          if (options.knownAt) parseAsOf(options.knownAt, 'UTC', '--known-at');
          if (options.knownAt && options.save) {
            const message = 'a stored run is what was known when it ran: an evaluation as known earlier is not stored';
            throw new InputError(`--save: ${message}`, [{ code: 'invalid_option', field: '--save', message }]);
          }
          await withServices(
            io,
            async (services) => {
              const asOf = await services.scorecard.resolveAsOf(options.at, '--at');
              const timezone = await services.catalog.defaultTimeZone();
              const knownAt = options.knownAt ? parseKnownAt(options.knownAt, timezone, new Date()) : undefined;
              const snapshot = await services.evaluation.compute(asOf, { knownAt });
              if (options.save) await services.evaluation.evaluate({ asOf, persist: true });
              const indicators = new Map(snapshot.indicators.map((i) => [i.id, i]));
              const { targetSummary, worstFirst } = await import('../scorecard/scorecard-service.js');
              // Worst first, as `pacer status` and the page list them.
              const targets = worstFirst(snapshot.results).map((r) =>
                targetSummary(r, indicators.get(r.target.indicatorId), timezone),
              );
              if (options.json) {
                const json = { as_of: asOf.toISOString(), known_at: knownAt?.toISOString() ?? null, timezone, targets };
                io.out(JSON.stringify(json, null, 2));
                return;
              }
              const known = knownAt ? `, as known at ${formatLocalDateTime(knownAt, timezone)}` : '';
              io.out(
                `${targets.length} targets as of ${formatAsOf(asOf, timezone)} (${timezone})${known}, worst first`,
              );
              const rows = targets.map((t) => [...statusRow(t), t.reason]);
              for (const line of textTable([...statusHeader, 'REASON'], rows, { right: figureColumns })) io.out(line);
            },
            { prepare: true },
          );
        }),
      );
    });
}
