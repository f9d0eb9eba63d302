import type { Config } from '../config/env-schema.js';
import { ExitCode, exitCodeOf } from '../errors/error-mapping.js';
import { InputError, PacerError, formatIssue } from '../errors/pacer-error.js';
import type { Logger } from '../logging/logger.js';
import type { PacerServices } from '../main.js';

// Every command imports this file to define itself, and `pacer --help` defines them all: what a
// command needs to run (zod, pino, the composition root and its drivers) is imported when it runs.

/** Where commands write: results to stdout, diagnostics to stderr. Tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (commands colour only there). */
  isTTY?: boolean;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
};

/**
 * Runs a command body and turns its outcome into an exit code: 0 ok, 1 the user's input is wrong
 * (with every issue listed as `file:line field: message`), 2 the system failed.
 */
export async function runCommand(io: CliIo, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? ExitCode.ok;
  } catch (error) {
    reportError(io, error);
    return exitCodeOf(error);
  }
}

export function reportError(io: CliIo, error: unknown): void {
  // One issue the message already says (`--status: ...`) is printed once.
  const single = error instanceof InputError && error.issues.length === 1 ? error.issues[0]! : undefined;
  if (single && error instanceof InputError && error.message === formatIssue(single)) {
    io.err(`error: ${error.message}`);
  } else if (error instanceof InputError && error.issues.length > 0) {
    io.err(`error: ${error.message.split('\n')[0]}`);
    for (const issue of error.issues) io.err(`  ${formatIssue(issue)}`);
    if (error.issuesTotal > error.issues.length) io.err(`  ... and ${error.issuesTotal - error.issues.length} more`);
  } else if (error instanceof PacerError) {
    io.err(`error: ${error.message}`);
  } else {
    io.err(`error: ${(error as Error)?.stack ?? String(error)}`);
  }
}

/**
 * An error about the API's query parameters (`at`, `known_at`) as one about the options that set them (`--at`,
 * `--known-at`):
 * what `pacer status` and `pacer report` say when the scorecard refuses their date or filter.
 */
export function asOptionError(error: unknown, names: ReadonlySet<string>): unknown {
  if (!(error instanceof InputError) || !error.issues.some((i) => i.field !== undefined && names.has(i.field)))
    return error;
  const issues = error.issues.map((i) =>
    i.field !== undefined && names.has(i.field) ? { ...i, field: `--${i.field.replace(/_/g, '-')}` } : i,
  );
  const message = issues.length === 1 ? formatIssue(issues[0]!) : error.message;
  return new InputError(message, issues, { code: error.code, cause: error });
}

/**
 * Configuration plus a logger for one-shot commands: quiet (warn, on stderr) unless LOG_LEVEL says
 * otherwise. A command that reports its outcome itself passes `quietLevel: 'error'`, so a failure it
 * prints as one line is not logged first as a JSON line with a stack.
 */
export async function commandSetup(
  io: CliIo,
  options: { quietLevel?: 'warn' | 'error' } = {},
): Promise<{ config: Config; logger: Logger }> {
  const [{ loadConfig }, { createLogger }] = await Promise.all([
    import('../config/env-schema.js'),
    import('../logging/logger.js'),
  ]);
  const config = loadConfig(io.env);
  const level = io.env.LOG_LEVEL ? config.logLevel : (options.quietLevel ?? 'warn');
  return { config, logger: createLogger({ level, pretty: false, destination: process.stderr }) };
}

/** What stderr says when a command reaches the embedded database through the process that holds it. */
export function ownerNote(dataDir: string, owner: { pid: number; endpoint: string }): string {
  return (
    `note: the embedded database in ${dataDir} is in use by process ${owner.pid}; ` +
    `working through its socket ${owner.endpoint}`
  );
}

/**
 * Opens Pacer's services for a one-shot command and always closes them. With `prepare`, a
 * database no catalog was ever applied to is first prepared as `pacer start` would (catalog, demo
 * data once), so `pacer evaluate` or `pacer status` on a fresh clone answer with the shipped
 * directive rather than an empty table.
 */
export async function withServices<T>(
  io: CliIo,
  work: (services: PacerServices) => Promise<T>,
  options: { prepare?: boolean; quietLevel?: 'warn' | 'error' } = {},
): Promise<T> {
  const { config, logger } = await commandSetup(io, { quietLevel: options.quietLevel });
  const { openPacer } = await import('../main.js');
  const pacer = await openPacer(config, logger);
  if (pacer.owner) io.err(ownerNote(config.dataDir, pacer.owner));
  try {
    if (options.prepare && (await pacer.isEmpty())) {
      const { demo } = await pacer.prepare();
      const loaded = demo.loaded ? ` and loaded the demo data (${demo.rows} rows)` : '';
      io.err(`the database was empty: applied the catalog in ${config.catalogDir}${loaded}, as pacer start does`);
    }
    return await work(pacer.services);
  } finally {
    await pacer.stop();
  }
}
