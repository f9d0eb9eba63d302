import { Command } from 'commander';
import { statusesWorstFirst } from '../domain/evaluation/status-order.js';
import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
import type { Config } from '../config/env-schema.js';
import { InputError, UnavailableError, type InputIssue } from '../errors/pacer-error.js';
import { parseAsOf } from '../evaluation/as-of.js';
import { languages, type Language } from '../conventions.js';
import { NONE } from '../domain/format/value-format.js';
import { Formatter } from '../domain/language/formatter.js';
import type { TargetList, TargetListQuery } from '../scorecard/scorecard-schema.js';
import { asOptionError, commandSetup, runCommand, withServices, type CliIo } from './cli-context.js';
import { parseLanguage } from './cli-language.js';
import { atHelp, knownAtHelp } from './evaluate-command.js';
import { getJson, type JsonAnswer } from './get-json.js';
import { textTable } from './text-table.js';

interface StatusOptions {
  at?: string;
  knownAt?: string;
  lang?: string;
  json?: boolean;
  status?: string;
  owner?: string[];
  url?: string;
}

/**
 * `pacer status [--at DATE] [--known-at DATE] [--json]`: the scorecard in a terminal, worst first. It reads the
 * database like every command (beside a running `pacer start`, through the socket that server
 * shares). With `--url`, or when the embedded database is held by a process that does not share
 * it, it asks that server's `GET /v1/targets` instead, which answers with the same document.
 */
export function statusCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('status')
    .description('every target worst first, with status, progress and projection (the scorecard in the terminal)')
    .option('--at <date>', atHelp)
    .option('--known-at <date>', knownAtHelp)
    .option('--json', 'print the same JSON as GET /v1/targets')
    .option(
      '--lang <lang>',
      `language of the text (${languages.join(', ')}); default: from LC_ALL, LC_MESSAGES or LANG, else en`,
    )
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
          // The dates' format is checked here so a bad --at reads the same with or without a server.
          if (options.at) parseAsOf(options.at, 'UTC');
          if (options.knownAt) parseAsOf(options.knownAt, 'UTC', '--known-at');
          const lang = parseLanguage(options.lang, io.env);
          const asked = { ...options, lang };
          const list = options.url ? await fetchTargetList(options.url, asked) : await readTargetList(io, asked);
          checkOwners(options.owner, list.owners);
          if (options.json) io.out(JSON.stringify(list, null, 2));
          else printScorecard(io, list, useColor(io), new Formatter(lang, list.timezone));
        }),
      );
    });
}

/**
 * An owner no target has is a typo, not an empty filter: "0 of 18 targets" would hide it. The error
 * lists the owners there are (the list names every owner, whatever the filters).
 */
export function checkOwners(wanted: readonly string[] | undefined, owners: readonly string[]): void {
  const unknown = (wanted ?? []).filter((o) => !owners.includes(o));
  if (unknown.length === 0) return;
  const message =
    `no target has owner ${unknown.map((o) => `"${o}"`).join(', ')}; the owners are: ` +
    owners.map((o) => `"${o}"`).join(', ');
  throw new InputError(`--owner: ${message}`, [{ code: 'unknown_owner', field: '--owner', message }], {
    code: 'unknown_owner',
  });
}

type ListOptions = Pick<StatusOptions, 'at' | 'knownAt' | 'status' | 'owner'> & { lang?: Language };

/** The options as the scorecard's query, validated by the schema `GET /v1/targets` validates it with. */
async function parseQuery(options: ListOptions): Promise<TargetListQuery> {
  const { targetListQuerySchema } = await import('../scorecard/scorecard-schema.js');
  const parsed = targetListQuerySchema.safeParse({
    at: options.at,
    known_at: options.knownAt,
    status: options.status,
    owner: options.owner,
    lang: options.lang,
  });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    code: 'invalid_option',
    field: optionName(String(issue.path[0])),
    message: issue.message,
  }));
  throw new InputError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

async function readTargetList(io: CliIo, options: ListOptions): Promise<TargetList> {
  try {
    const query = await parseQuery(options);
    return await withServices(io, (services) => services.scorecard.list(query), { prepare: true }).catch(
      (error: unknown) => {
        throw asOptionError(error, queryOptions);
      },
    );
  } catch (error) {
    if (!(error instanceof UnavailableError && error.code === 'database_locked')) throw error;
    const url = localApiUrl((await commandSetup(io)).config);
    if (!url) throw error;
    io.err(`note: ${error.message.split(';')[0]}; reading from its API at ${url} (or pass --url)`);
    return fetchTargetList(url, options, error);
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

/** The query parameters of `GET /v1/targets` that the options of the same name set. */
const queryOptions = new Set(['at', 'known_at', 'status', 'owner', 'lang']);

/** The option a query parameter is set by: `known_at` by `--known-at`. */
const optionName = (param: string) => `--${param.replace(/_/g, '-')}`;

/**
 * `GET {base}/v1/targets`. The server validates the options (a 400 names the option), and the
 * answer is checked by {@link targetListProblem}: no zod here, as loading it would more than
 * double the start of `pacer status --url`.
 */
export async function fetchTargetList(base: string, options: ListOptions, lockError?: Error): Promise<TargetList> {
  let url: URL | undefined;
  try {
    url = new URL(targetsPath, base);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw new InputError(`--url: not an http(s) URL: "${base}"`, [
      { code: 'invalid_option', field: '--url', message: `not an http(s) URL: "${base}"` },
    ]);
  if (options.at) url.searchParams.set('at', options.at);
  if (options.knownAt) url.searchParams.set('known_at', options.knownAt);
  if (options.lang) url.searchParams.set('lang', options.lang);
  if (options.status) url.searchParams.set('status', options.status);
  for (const owner of options.owner ?? []) url.searchParams.append('owner', owner);
  let response: JsonAnswer;
  try {
    response = await getJson(url, 60_000);
  } catch (cause) {
    const why = lockError
      ? `${lockError.message.split(';')[0]}, and no Pacer API answers at ${base}`
      : `cannot reach the Pacer API at ${base}`;
    throw new UnavailableError(`${why}: ${(cause as Error).message}`, { cause, code: 'api_unavailable' });
  }
  const { body } = response;
  if (response.status < 200 || response.status > 299) {
    const error = errorBodyOf(body);
    const message = error?.message ?? `HTTP ${response.status}`;
    if (response.status === 400)
      throw asOptionError(
        new InputError(message, error?.issues ?? [], { code: error?.code ?? 'invalid_request' }),
        queryOptions,
      );
    throw new UnavailableError(`the Pacer API at ${base} answered ${response.status}: ${message}`, {
      code: 'api_unavailable',
    });
  }
  const problem = targetListProblem(body);
  if (problem)
    throw new UnavailableError(
      `${url.href} did not answer with a target list (is it a Pacer of this version?): ${problem}`,
      { code: 'api_unavailable' },
    );
  return body as TargetList;
}

/** `scorecardPaths.targets`, written out: the routes module loads zod (the --url tests ask a real server). */
const targetsPath = '/v1/targets';

/** The `error` of an error response (`src/http/error-schema.ts`), when the body is one. */
function errorBodyOf(body: unknown): { code?: string; message: string; issues?: InputIssue[] } | undefined {
  const error = (body as { error?: unknown } | undefined)?.error as Record<string, unknown> | undefined;
  if (typeof error?.message !== 'string') return undefined;
  return {
    message: error.message,
    code: typeof error.code === 'string' ? error.code : undefined,
    issues: Array.isArray(error.issues) ? (error.issues as InputIssue[]) : undefined,
  };
}

const statusNames: ReadonlySet<string> = new Set(statusesWorstFirst);

/**
 * What keeps a body from being a target list this command can print, or undefined: the fields
 * it prints, with their types. The server builds the document from `targetListSchema`.
 */
export function targetListProblem(body: unknown): string | undefined {
  const list = body as Partial<Record<keyof TargetList, unknown>> | null;
  if (typeof list !== 'object' || list === null) return 'not a JSON object';
  if (typeof list.as_of !== 'string' || typeof list.timezone !== 'string') return 'as_of, timezone: expected strings';
  if (typeof list.total !== 'number') return 'total: expected a number';
  if (!Array.isArray(list.directives) || list.directives.some((d) => typeof d?.title !== 'string'))
    return 'directives: expected a list of directives with a title';
  const counts = list.counts as Record<string, unknown> | null;
  if (typeof counts !== 'object' || counts === null || statusesWorstFirst.some((s) => typeof counts[s] !== 'number'))
    return 'counts: expected a number per status';
  if (!Array.isArray(list.targets)) return 'targets: expected a list';
  for (const [i, target] of (list.targets as Record<string, unknown>[]).entries()) {
    const wrong = targetFields.find(([field, , ok]) => !ok(target?.[field]));
    if (wrong) return `targets[${i}].${wrong[0]}: expected ${wrong[1]}`;
  }
  return undefined;
}

const isString = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number';

/** Each field of a target the scorecard prints: what it must be, and the check. */
const targetFields: [field: string, expected: string, ok: (v: unknown) => boolean][] = [
  ['target', 'a string', isString],
  ['status', `one of ${statusesWorstFirst.join(', ')}`, (v) => isString(v) && statusNames.has(v as string)],
  ['achieved_late', 'a boolean', (v) => typeof v === 'boolean'],
  ['kind', 'a string', isString],
  ['direction', 'a string', isString],
  ['progress', 'a number or null', (v) => v === null || isNumber(v)],
  ['expected_progress', 'a number', isNumber],
  ['current', 'a number or null', (v) => v === null || isNumber(v)],
  ['projected', 'a number or null', (v) => v === null || isNumber(v)],
  ['target_value', 'a number', isNumber],
  ['projected_completion', 'a string or null', (v) => v === null || isString(v)],
  ['due', 'a string', isString],
  ['explanation', 'a string', isString],
];

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

/** The columns of a target's row, in the reader's language: the same in `pacer status` and `pacer evaluate`. */
export function statusHeader(f: Formatter): string[] {
  const h = f.messages.cli.head;
  return [h.status, h.target, h.progress, h.expected, h.current, h.projected, h.targetValue, h.completion, h.due];
}

/** The columns of figures in {@link statusRow}, aligned right. */
export const figureColumns: ReadonlySet<number> = new Set([2, 3, 4, 5, 6]);

/** A target's row as `pacer status` and `pacer evaluate` print it, with the formatter the page uses. */
export function statusRow(
  t: Pick<
    TargetList['targets'][number],
    | 'status'
    | 'achieved_late'
    | 'target'
    | 'kind'
    | 'direction'
    | 'progress'
    | 'expected_progress'
    | 'current'
    | 'projected'
    | 'target_value'
    | 'projected_completion'
    | 'due'
  >,
  f: Formatter,
): string[] {
  const milestone = t.kind === 'milestone';
  const value = (x: number | null) => (x === null ? NONE : f.value(x, t.kind));
  return [
    f.status(t.status) + (t.achieved_late ? f.messages.cli.metLate : ''),
    t.target,
    t.progress === null ? NONE : f.percent(t.progress),
    f.percent(t.expected_progress),
    value(t.current),
    milestone ? NONE : value(t.projected),
    (t.direction === 'at_most' ? '≤ ' : '') + f.value(t.target_value, t.kind),
    milestone || !t.projected_completion ? NONE : f.calendarDay(t.projected_completion),
    f.calendarDay(t.due),
  ];
}

function printScorecard(io: CliIo, list: TargetList, color: boolean, f: Formatter): void {
  const say = f.messages.cli;
  const title = list.directives.length === 1 ? list.directives[0]!.title : say.directives(list.directives.length);
  io.out(
    say.heading({
      title,
      shown: list.targets.length,
      total: list.total,
      asOf: f.asOf(list.as_of),
      timezone: list.timezone,
      known: list.known_at ? say.knownAt(f.dateTime(list.known_at)) : '',
    }),
  );
  const rows = list.targets.map((t) => statusRow(t, f));
  const [head, ...lines] = textTable(statusHeader(f), rows, {
    right: figureColumns,
    decorate: (padded, column, row) =>
      column === 0 && row >= 0 && color ? `\x1b[${ansi[list.targets[row]!.status]}m${padded}\x1b[0m` : padded,
  });
  io.out(head!);
  lines.forEach((line, i) => {
    io.out(line);
    // The reason under its row, indented: a sentence does not fit a column.
    io.out(`  ${list.targets[i]!.explanation}`);
  });
  io.out(statusesWorstFirst.map((s) => `${list.counts[s]} ${f.status(s).toLocaleLowerCase(f.locale)}`).join(', '));
}
