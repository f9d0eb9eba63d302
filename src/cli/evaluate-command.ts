import { Command } from 'commander';
import { languages } from '../conventions.js';
import { Formatter } from '../domain/language/formatter.js';
import { InputError } from '../errors/pacer-error.js';
import { parseAsOf, parseKnownAt } from '../evaluation/as-of.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';
import { parseLanguage } from './cli-language.js';
import { figureColumns, statusHeader, statusRow } from './status-command.js';
import { textTable } from './text-table.js';

/** The help of `--at` and `--known-at`, the same for `pacer evaluate`, `pacer status` and `pacer report`. */
export const atHelp =
  'the values dated up to DATE: YYYY-MM-DD (the end of that day in the directive time zone) or an ISO ' +
  'date-time; default now';
export const knownAtHelp =
  'only what Pacer had recorded by then, each value as it stood then (a correction recorded later is left out); ' +
  'read like --at, not in the future; default now, with every correction. --known-at = --at: "as known then"';

/** `pacer evaluate [--at DATE] [--known-at DATE] [--lang vi] [--json] [--save]`. */
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
      '--lang <lang>',
      `language of the text (${languages.join(', ')}); default: from LC_ALL, LC_MESSAGES or LANG, else en`,
    )
    .option(
      '--save',
      'store the evaluation as a snapshot (runs of the scheduler are stored anyway); not with --known-at',
    )
    .action(async (options: { at?: string; knownAt?: string; json?: boolean; save?: boolean; lang?: string }) => {
      setExitCode(
        await runCommand(io, async () => {
          // The dates' format is checked before the database is opened, with the message `pacer status` gives.
          if (options.at) parseAsOf(options.at, 'UTC');
          if (options.knownAt) parseAsOf(options.knownAt, 'UTC', '--known-at');
          if (options.knownAt && options.save) {
            const message = 'a stored run is what was known when it ran: an evaluation as known earlier is not stored';
            throw new InputError(`--save: ${message}`, [{ code: 'invalid_option', field: '--save', message }]);
          }
          const lang = parseLanguage(options.lang, io.env);
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
                targetSummary(r, indicators.get(r.target.indicatorId), timezone, lang),
              );
              if (options.json) {
                const known_at = knownAt?.toISOString() ?? null;
                io.out(JSON.stringify({ as_of: asOf.toISOString(), known_at, timezone, lang, targets }, null, 2));
                return;
              }
              const f = new Formatter(lang, timezone);
              const say = f.messages.cli;
              const known = knownAt ? say.knownAt(f.dateTime(knownAt)) : '';
              const shown = targets.length;
              io.out(say.heading({ shown, total: shown, asOf: f.asOf(asOf), timezone, known }));
              const rows = targets.map((t) => [...statusRow(t, f), t.reason]);
              const header = [...statusHeader(f), say.head.reason];
              for (const line of textTable(header, rows, { right: figureColumns })) io.out(line);
            },
            { prepare: true },
          );
        }),
      );
    });
}
