import { Command } from 'commander';
import { statusesWorstFirst } from '../domain/evaluation/status-order.js';
import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
import type { Config } from '../config/env-schema.js';
import { InputError, UnavailableError } from '../errors/pacer-error.js';
import { parseAsOf } from '../evaluation/as-of.js';
import { formatPercent, formatValue } from '../scorecard/scorecard-format.js';
import { errorResponseSchema } from '../http/error-schema.js';
import { scorecardPaths } from '../scorecard/scorecard-routes.js';
import {
  targetListQuerySchema,
  targetListSchema,
  type TargetList,
  type TargetListQuery,
} from '../scorecard/scorecard-schema.js';
import { commandSetup, runCommand, withServices, type CliIo } from './cli-context.js';

interface StatusOptions {
  at?: string;
  json?: boolean;
  status?: string;
  owner?: string[];
  url?: string;
}

/**
 * `pacer status [--at DATE] [--json]`: the scorecard in a terminal, worst first. It reads the
 * database like every command (beside a running `pacer start`, through the socket that server
 * shares). With `--url`, or when the embedded database is held by a process that does not share
 * it, it asks that server's `GET /v1/targets` instead, which answers with the same document.
 */
export function statusCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('status')
    .description('every target worst first, with status, progress and projection (the scorecard in the terminal)')
    .option(
      '--at <date>',
      'YYYY-MM-DD (the end of that day in the directive time zone) or an ISO date-time; default now',
    )
    .option('--json', 'print the same JSON as GET /v1/targets')
    .option('--status <list>', `only these statuses, comma-separated (${statusesWorstFirst.join(', ')})`)
    .option('--owner <name>', 'only this owner (repeatable)', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option(
      '--url <url>',
      'read from the Pacer API at this URL instead of the database (automatic when a running `pacer start` holds ' +
        'the embedded database without sharing it)',
    )
    .action(async (options: StatusOptions) => {
      setExitCode(
        await runCommand(io, async () => {
          const query = parseOptions(options);
          const list = options.url ? await fetchTargetList(options.url, query) : await readTargetList(io, query);
          if (options.json) io.out(JSON.stringify(list, null, 2));
          else printScorecard(io, list, useColor(io));
        }),
      );
    });
}

function parseOptions(options: StatusOptions): TargetListQuery {
  // The date's format is checked here so a bad --at reads the same with or without a server.
  if (options.at) parseAsOf(options.at, 'UTC');
  const parsed = targetListQuerySchema.safeParse({ at: options.at, status: options.status, owner: options.owner });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    code: 'invalid_option',
    field: `--${String(issue.path[0])}`,
    message: issue.message,
  }));
  throw new InputError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

async function readTargetList(io: CliIo, query: TargetListQuery): Promise<TargetList> {
  try {
    return await withServices(io, (services) => services.scorecard.list(query), { prepare: true });
  } catch (error) {
    if (!(error instanceof UnavailableError && error.code === 'database_locked')) throw error;
    const url = localApiUrl(commandSetup(io).config);
    if (!url) throw error;
    io.err(`note: ${error.message.split(';')[0]}; reading from its API at ${url} (or pass --url)`);
    return fetchTargetList(url, query, error);
  }
}

/** Where this machine's own `pacer start` listens, from the same PORT and HOST it reads. */
export function localApiUrl(config: Pick<Config, 'host' | 'port'>): string | undefined {
  if (config.port === 0) return undefined;
  const host = ['0.0.0.0', '::', ''].includes(config.host)
    ? '127.0.0.1'
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  return `http://${host}:${config.port}`;
}

/** `GET {base}/v1/targets`, validated against the schema the server answers with. */
export async function fetchTargetList(base: string, query: TargetListQuery, lockError?: Error): Promise<TargetList> {
  let url: URL;
  try {
    url = new URL(scorecardPaths.targets, base);
  } catch {
    throw new InputError(`--url: not a URL: "${base}"`, [
      { code: 'invalid_option', field: '--url', message: `not a URL: "${base}"` },
    ]);
  }
  if (query.at) url.searchParams.set('at', query.at);
  if (query.status?.length) url.searchParams.set('status', query.status.join(','));
  for (const owner of query.owner ?? []) url.searchParams.append('owner', owner);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    const why = lockError
      ? `${lockError.message.split(';')[0]}, and no Pacer API answers at ${base}`
      : `cannot reach the Pacer API at ${base}`;
    throw new UnavailableError(`${why}: ${(cause as Error).message}`, { cause, code: 'api_unavailable' });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = errorResponseSchema.safeParse(body);
    const message = error.success ? error.data.error.message : `HTTP ${response.status}`;
    if (response.status === 400)
      throw new InputError(message, error.success ? (error.data.error.issues ?? []) : [], {
        code: error.success ? error.data.error.code : 'invalid_request',
      });
    throw new UnavailableError(`the Pacer API at ${base} answered ${response.status}: ${message}`, {
      code: 'api_unavailable',
    });
  }
  const list = targetListSchema.safeParse(body);
  if (!list.success)
    throw new UnavailableError(
      `${url.href} did not answer with a target list (is it a Pacer of this version?): ` +
        `${list.error.issues[0]?.message}`,
      { code: 'api_unavailable' },
    );
  return list.data;
}

const ansi: Record<TargetStatus, string> = {
  missed: '1;31',
  off_track: '31',
  at_risk: '33',
  no_data: '90',
  on_track: '32',
  achieved: '36',
};

/** Colour on a terminal only, never when NO_COLOR is set; FORCE_COLOR forces it (https://no-color.org). */
export function useColor(io: CliIo): boolean {
  if (io.env.NO_COLOR) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return io.isTTY === true && io.env.TERM !== 'dumb';
}

function printScorecard(io: CliIo, list: TargetList, color: boolean): void {
  const title = list.directives.length === 1 ? list.directives[0]!.title : `${list.directives.length} directives`;
  io.out(
    `${title}: ${list.targets.length === list.total ? list.total : `${list.targets.length} of ${list.total}`} ` +
      `targets as of ${list.as_of} (${list.timezone}), worst first`,
  );
  const header = [
    'STATUS',
    'TARGET',
    'PROGRESS',
    'EXPECTED',
    'CURRENT',
    'PROJECTED',
    'TARGET VALUE',
    'COMPLETION',
    'DUE',
  ];
  const rows = list.targets.map((t) => {
    const milestone = t.kind === 'milestone';
    return [
      t.status + (t.achieved_late ? ' (met late)' : ''),
      t.target,
      t.progress === null ? '-' : formatPercent(t.progress),
      formatPercent(t.expected_progress),
      t.current === null ? '-' : formatValue(t.current, t.kind),
      t.projected === null || milestone ? '-' : formatValue(t.projected, t.kind),
      (t.direction === 'at_most' ? '<= ' : '') + formatValue(t.target_value, t.kind),
      milestone ? '-' : (t.projected_completion ?? 'never'),
      t.due,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[], status?: TargetStatus) =>
    cells
      .map((cell, i) => {
        const padded = numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        return i === 0 && status && color ? `\x1b[${ansi[status]}m${padded}\x1b[0m` : padded;
      })
      .join('  ')
      .trimEnd();
  io.out(line(header));
  list.targets.forEach((t, i) => {
    io.out(line(rows[i]!, t.status));
    // The reason under its row, indented: a sentence does not fit a column.
    io.out(`  ${t.explanation}`);
  });
  io.out(statusesWorstFirst.map((s) => `${list.counts[s]} ${s}`).join(', '));
}
