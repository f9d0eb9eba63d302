import { Command } from 'commander';
import { languages } from '../conventions.js';
import { Formatter } from '../domain/language/formatter.js';
import { calendarDay, parseAsOf } from '../evaluation/as-of.js';
import type { IndicatorRecord, TargetResult } from '../evaluation/evaluation-store.js';
import type { PacerServices } from '../main.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';
import { parseLanguage } from './cli-language.js';

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
    .option(
      '--lang <lang>',
      `language of the text (${languages.join(', ')}); default: from LC_ALL, LC_MESSAGES or LANG, else en`,
    )
    .option('--save', 'store the evaluation as a snapshot (runs of the scheduler are stored anyway)')
    .action(async (options: { at?: string; json?: boolean; save?: boolean; lang?: string }) => {
      setExitCode(
        await runCommand(io, () => {
          const lang = parseLanguage(options.lang, io.env);
          return withServices(
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
                      lang,
                      targets: snapshot.results.map((r) =>
                        targetSummary(r, indicators.get(r.target.indicatorId), timezone, lang),
                      ),
                    },
                    null,
                    2,
                  ),
                );
              else printTable(io, snapshot.results, asOf, new Formatter(lang, timezone), indicators);
            },
            { prepare: true },
          );
        }),
      );
    });
}

/** A bare date means the end of that day in the directive time zone: everything dated that day is known. */
export async function resolveAsOf(services: PacerServices, text: string): Promise<Date> {
  return parseAsOf(text, await services.catalog.defaultTimeZone());
}

/**
 * The evaluation as a table, in the reader's language: status names, numbers and days as they write
 * them; the reason stays its code (the sentence is in `pacer status` and `--json`).
 */
function printTable(
  io: CliIo,
  results: TargetResult[],
  asOf: Date,
  f: Formatter,
  indicators: ReadonlyMap<string, IndicatorRecord>,
): void {
  const say = f.messages.cli;
  io.out(say.asOf({ asOf: f.dateTime(asOf), timezone: f.timeZone }));
  const pct = (x: number | null) => (x === null ? '-' : f.percent(x));
  const rows = results.map((r) => {
    const kind = indicators.get(r.target.indicatorId)?.kind ?? 'level';
    const num = (x: number | null) => (x === null ? '-' : f.value(x, kind));
    const completion = calendarDay(r.projectedCompletionAt, f.timeZone);
    return [
      r.target.id,
      f.status(r.status) + (r.achievedLate ? say.metLate : ''),
      pct(r.progress),
      pct(r.expectedProgress),
      num(r.current),
      kind === 'milestone' ? '-' : num(r.projected),
      num(r.target.targetValue),
      completion ? f.calendarDay(completion) : '-',
      f.calendarDay(r.target.dueDate),
      r.reason,
    ];
  });
  const h = say.head;
  const header = [
    h.target,
    h.status,
    h.progress,
    h.expected,
    h.current,
    h.projected,
    h.targetValue,
    h.completion,
    h.due,
    h.reason,
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
