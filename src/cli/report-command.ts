import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { InputError } from '../errors/pacer-error.js';
import { parseAsOf } from '../evaluation/as-of.js';
import { reportFileName, reportFormats, reportLanguages } from '../reports/report-names.js';
import type { ReportOptions } from '../reports/report-schema.js';
import type { ScorecardReport } from '../reports/report-service.js';
import { asOptionError, runCommand, withServices, type CliIo } from './cli-context.js';
import { parseLanguage } from './cli-language.js';
import { atHelp, knownAtHelp } from './evaluate-command.js';

/**
 * `pacer report [--at DATE] [--known-at DATE] --format xlsx|csv|md [--lang en] [--out FILE]`: the scorecard as a file
 * to send up the chain. CSV and Markdown go to stdout without `--out`; a workbook is binary, so it
 * goes to `--out` or to `scorecard-DATE.xlsx` in the current directory.
 */
export function reportCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('report')
    .description('write the scorecard as a report to send: an Excel workbook, CSV or Markdown (for an e-mail)')
    .requiredOption('--format <format>', `${reportFormats.join(', ')}`)
    .option('--at <date>', atHelp)
    .option('--known-at <date>', knownAtHelp)
    .option(
      '--lang <lang>',
      `language of the report (${reportLanguages.join(', ')}); default: from LC_ALL, LC_MESSAGES or LANG, else en`,
    )
    .option('--out <file>', 'write here (xlsx default: scorecard-DATE.xlsx; csv and md default: stdout)')
    .action(async (raw: Record<string, string | undefined>) => {
      setExitCode(
        await runCommand(io, async () => {
          const options = await parseOptions({ ...raw, lang: parseLanguage(raw.lang, io.env) });
          const report = await withServices(
            io,
            (services) => services.reports.build({ at: options.at, known_at: options.knownAt, lang: options.lang }),
            { prepare: true },
          ).catch((error: unknown) => {
            throw asOptionError(error, new Set(['at', 'known_at']));
          });
          await writeReport(io, report, options);
        }),
      );
    });
}

async function parseOptions(raw: Record<string, string | undefined>): Promise<ReportOptions> {
  // The dates' format is checked before the database is opened, with the message `pacer status` gives.
  if (raw.at) parseAsOf(raw.at, 'UTC');
  if (raw.knownAt) parseAsOf(raw.knownAt, 'UTC', '--known-at');
  // zod is loaded when the command runs, not when the program is described (`pacer --help`).
  const { reportOptionsSchema } = await import('../reports/report-schema.js');
  const parsed = reportOptionsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    code: 'invalid_option',
    field: `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    message: issue.message,
  }));
  throw new InputError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

async function writeReport(io: CliIo, report: ScorecardReport, options: ReportOptions): Promise<void> {
  // Each format's module is loaded only when asked for: exceljs weighs on every other command's start.
  let body: string | Buffer;
  if (options.format === 'xlsx') body = await (await import('../reports/report-xlsx.js')).reportXlsx(report);
  else if (options.format === 'csv') body = (await import('../reports/report-csv.js')).reportCsv(report);
  else body = (await import('../reports/report-markdown.js')).reportMarkdown(report);
  const out = options.out ?? (options.format === 'xlsx' ? reportFileName(report.asOfDay, 'xlsx') : undefined);
  if (out === undefined) {
    // io.out ends what it writes with a newline; the text ends with one already (CSV: CRLF), so its last is left to it.
    const text = body as string;
    io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
    return;
  }
  try {
    await writeFile(out, body);
  } catch (cause) {
    // A file that cannot be written where the user pointed (no such directory, no permission) is their input.
    const message = `cannot write ${out}: ${(cause as Error).message}`;
    throw new InputError(`--out: ${message}`, [{ code: 'invalid_option', field: '--out', message }], { cause });
  }
  io.err(`wrote ${out} (as of ${report.asOfDay}, ${report.timezone})`);
}
