import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { prepareDemoDatabase } from '../support/demo-database.js';
import { runPacerCli, startPacer, type RunningChild } from '../support/pacer-process.js';
import { defaultBackend } from '../support/test-database.js';

/** A UTC instant as `toISOString()` writes it: what no person should have to convert. */
const utcInstant = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/;
const admin = 'cli-local-admin-token-0123456789abcdef';
const backend = await defaultBackend();

type Result = { code: number; stdout: string; stderr: string };

/** Every command path of the program (`[]`, `['catalog']`, `['catalog', 'plan']`, ...), from its definition. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return [prefix, ...command.commands.flatMap((sub) => commandPaths(sub, [...prefix, sub.name()]))];
}

/** Every key of a JSON document, at any depth (the keys of records included). */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [key, ...keysOf(v)]);
}

describe(`what the CLI prints for people, on ${backend}`, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dir: string;
  let running: RunningChild;
  /** Output of each command a person reads, by its arguments. */
  const human = new Map<string, Result>();
  /** Output of each `--json` command. */
  const json = new Map<string, Result>();

  const run = async (args: string[], extra: Record<string, string> = {}): Promise<Result> =>
    runPacerCli(args, { ...env, ...extra }, { timeoutMs: 120_000 });
  const read = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await run(args, extra);
    (args.includes('--json') ? json : human).set(args.join(' '), result);
    return result;
  };

  beforeAll(async () => {
    ({ env, drop } = await prepareDemoDatabase(backend, 'cli_local'));
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-cli-local-'));
    running = await startPacer(
      { ...env, PACER_DEMO_DATA: 'false', PACER_ADMIN_TOKEN: admin },
      { args: ['--roles', 'api'], readyWithinMs: 110_000 },
    );

    const program = buildProgram({ out: () => undefined, err: () => undefined, env: {} }, () => undefined);
    for (const args of commandPaths(program)) await read([...args, '--help']);
    await read(['--version']);

    await read(['migrate']);
    await read(['catalog', 'validate']);
    await read(['catalog', 'plan']);
    // On an empty (embedded) database the plan lists every region, each keyed by the day it starts.
    human.set(
      'catalog plan (empty database)',
      await runPacerCli(['catalog', 'plan'], { PACER_DATA_DIR: path.join(dir, 'empty') }),
    );
    await read(['catalog', 'apply']);
    await read(['regions', 'summary']);
    await read(['regions', 'successors', '--at', '2025-07-01']);
    await read(['jobs', 'validate']);
    await read(['jobs', 'run', 'scheme06-figures']);
    await read(['jobs', 'run', 'scheme06-figures', '--json']);
    await read(['generate', '--out', path.join(dir, 'dashboards')]);

    const writer = (await read(['token', 'create', '--feed', 'ministry', '--role', 'writer'])).stdout.trim();
    await read(['token', 'list']);
    await read(['token', 'list', '--url', running.baseUrl, '--token', admin]);
    const good = path.join(dir, 'good.csv');
    await writeFile(good, 'indicator,region,observed_at,value\nvneid_accounts_issued,VN,2023-01-15,11500000\n');
    await read(['push', good, '--url', running.baseUrl, '--token', writer]);
    const future = path.join(dir, 'future.csv');
    await writeFile(
      future,
      'indicator,region,observed_at,value\nvneid_accounts_issued,VN,2099-01-01,1\n' +
        'vneid_accounts_issued,VN,2099-01-01T08:00:00+07:00,1\n',
    );
    await read(['push', future, '--url', running.baseUrl, '--token', writer]);

    for (const at of [[], ['--at', '2023-06-30']]) {
      await read(['status', ...at]);
      await read(['status', ...at, '--json']);
      await read(['evaluate', ...at]);
      await read(['evaluate', ...at, '--json']);
    }
    await read(['status', '--url', running.baseUrl]);
    await read(['report', '--format', 'md', '--at', '2023-06-30']);
    await read(['report', '--format', 'csv', '--at', '2023-06-30']);
    await read(['report', '--format', 'xlsx', '--at', '2023-06-30', '--out', path.join(dir, 'report.xlsx')]);
    const id = /^(\d+)\t/m.exec(human.get('token list')!.stdout)![1]!;
    await read(['token', 'revoke', id]);
  }, 600_000);

  afterAll(async () => {
    await running?.stop();
    await drop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints no UTC instant in any command, its help included: dates are local, times carry their offset', () => {
    expect(human.size).toBeGreaterThan(40);
    for (const [args, result] of human) {
      // The two pushes of this file: the second one rejects its future values (exit 1), the rest succeed.
      expect(result.code, `pacer ${args}: ${result.stderr}`).toBe(args.includes('future.csv') ? 1 : 0);
      expect(`${result.stdout}\n${result.stderr}`, `pacer ${args}`).not.toMatch(utcInstant);
    }
    // What used to be UTC now reads as the people it is for read it.
    expect(human.get('status --at 2023-06-30')!.stdout).toContain('18 targets as of 30 Jun 2023 (Asia/Ho_Chi_Minh)');
    expect(human.get('status')!.stdout).toMatch(/as of \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00 \(/);
    expect(human.get('catalog plan (empty database)')!.stdout).toContain('\n  + 01@2025-07-01\n');
    expect(human.get('token list')!.stdout).toMatch(/\t\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00\t/);
    const future = [...human].find(([args]) => args.includes('future.csv'))![1];
    expect(future.stderr).toMatch(/2099-01-01 has not begun yet \(it is \d{4}-\d{2}-\d{2}T[\d:]{8}\+07:00\)/);
    expect(future.stderr).toContain('2099-01-01T08:00:00+07:00 is in the future');
  });

  it('prints --version from package.json, and -V the same', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(human.get('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runPacerCli(['-V'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('marks the required options in help', () => {
    expect(human.get('report --help')!.stdout).toMatch(/--format <format>\s+xlsx, csv, md \(required\)/);
    expect(human.get('token create --help')!.stdout).toMatch(/--feed <name>[^]*?\(required\)/);
    expect(human.get('status --help')!.stdout).not.toContain('(required)');
  });

  it('heads every table with a header row', () => {
    const first = (args: string) => human.get(args)!.stdout.split('\n')[0];
    expect(first('token list')).toBe('ID\tFEED\tROLE\tPREFIX\tCREATED\tLAST USED\tSTATE');
    expect(first(`token list --url ${running.baseUrl} --token ${admin}`)).toBe(first('token list'));
    expect(first('regions summary')).toMatch(/^SET\s+LEVEL\s+VALID FROM\s+VALID UNTIL\s+UNITS\s+WITH SUCCESSORS$/);
    expect(first('regions successors --at 2025-07-01')).toMatch(/^CODE\s+NAME\s+SUCCESSOR\s+SUCCESSOR NAME\s+KIND$/);
    expect(first('jobs validate')).toMatch(/^FEED\s+SOURCE\s+SCHEDULE\s+TIME ZONE\s+NEXT RUN$/);
    expect(human.get('regions summary')!.stdout).toMatch(/^vn\s+province\s+2025-07-01\s+—\s+34\s+0$/m);
  });

  it('lists targets in evaluate in the order and the words of status: worst first, one placeholder', () => {
    const rows = (text: string) =>
      text.split('\n').filter((l) => /^(Missed|Off track|At risk|No data|On track|Achieved)/.test(l));
    const status = rows(human.get('status --at 2023-06-30')!.stdout);
    const evaluate = rows(human.get('evaluate --at 2023-06-30')!.stdout);
    expect(status).toHaveLength(18);
    // The same cells; evaluate adds the reason's code as a last column.
    expect(evaluate.map((l) => l.split(/\s{2,}/).slice(0, -1))).toEqual(status.map((l) => l.split(/\s{2,}/)));
    const cells = [...status, ...evaluate].join('\n');
    expect(cells).toContain('—');
    expect(cells).toContain('≤ 0');
    expect(cells).not.toMatch(/\bnever\b| - |<= /);
    const evaluated = JSON.parse(json.get('evaluate --at 2023-06-30 --json')!.stdout) as {
      targets: { target: string }[];
    };
    const listed = JSON.parse(json.get('status --at 2023-06-30 --json')!.stdout) as { targets: { target: string }[] };
    expect(evaluated.targets.map((t) => t.target)).toEqual(listed.targets.map((t) => t.target));
  });

  it('writes every --json document in snake_case, durations in whole milliseconds', () => {
    expect(json.size).toBe(5);
    for (const [args, result] of json) {
      expect(result.code, `pacer ${args}: ${result.stderr}`).toBe(0);
      for (const key of keysOf(JSON.parse(result.stdout))) expect(key, `pacer ${args}`).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    const run = JSON.parse(json.get('jobs run scheme06-figures --json')!.stdout) as Record<string, unknown>;
    expect(run).toMatchObject({ outcome: 'succeeded', run_id: expect.any(Number), batch_ids: expect.any(Array) });
    expect(Number.isInteger(run.duration_ms)).toBe(true);
    expect(human.get('jobs run scheme06-figures')!.stdout).toMatch(/succeeded in \d+ ms/);
  });

  it('gives /v1/feeds durations in whole milliseconds', async () => {
    const feeds = (await (await fetch(`${running.baseUrl}/v1/feeds`)).json()) as {
      items: { id: string; last_run: { duration_ms: number } | null }[];
    };
    const last = feeds.items.find((f) => f.id === 'scheme06-figures')?.last_run;
    expect(last).not.toBeNull();
    expect(Number.isInteger(last!.duration_ms)).toBe(true);
  });

  it('reads a value pushed for a date back with that date beside its instant', async () => {
    const url =
      `${running.baseUrl}/v1/observations?indicator=vneid_accounts_issued&region=VN` + '&from=2023-01-15&to=2023-01-15';
    const page = (await (await fetch(url)).json()) as { items: Record<string, unknown>[] };
    expect(page.items).toEqual([
      expect.objectContaining({ observed_at: '2023-01-15T16:59:59.999Z', observed_on: '2023-01-15', value: 11500000 }),
    ]);
    const detail = (await (await fetch(`${running.baseUrl}/v1/targets/vneid-accounts-40m?at=2023-06-30`)).json()) as {
      target: { current_observed_at: string; current_observed_on: string };
      observations: { observed_at: string; observed_on: string }[];
    };
    expect(detail.observations).toContainEqual(
      expect.objectContaining({ observed_at: '2023-01-15T16:59:59.999Z', observed_on: '2023-01-15' }),
    );
    expect(detail.target.current_observed_on).toBe(detail.target.current_observed_at.slice(0, 10));
    const csv = await (await fetch(`${url}&format=csv`)).text();
    expect(csv.split('\n')[1]).toMatch(/^vneid_accounts_issued,VN,2023-01-15T16:59:59\.999Z,.*,2023-01-15$/);
  });

  it('refuses an owner no target has, listing the owners, with exit 1 and one message', async () => {
    const typo = await run(['status', '--owner', 'Ministry of Pubic Security']);
    expect(typo).toMatchObject({ code: 1, stdout: '' });
    expect(typo.stderr).toBe(
      'error: --owner: no target has owner "Ministry of Pubic Security"; the owners are: "Ministry of Home Affairs", ' +
        '"Ministry of Information and Communications", "Ministry of Public Security"\n',
    );
    const remote = await run(['status', '--owner', 'Nobody', '--url', running.baseUrl]);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('error: --owner: no target has owner "Nobody"; the owners are: "Ministry of');
  });

  it("refuses an as-of date before the directive was issued, in every command and the API, naming 'at'", async () => {
    const message =
      'as of 1990-01-01 is before Directive 05/CT-TTg (2023) on Scheme 06 was issued (2023-02-23); ' +
      'pick a date from 2023-02-23 on';
    for (const args of [
      ['evaluate', '--at', '1990-01-01'],
      ['status', '--at', '1990-01-01'],
      ['status', '--at', '1990-01-01', '--url', running.baseUrl],
      ['report', '--format', 'md', '--at', '1990-01-01'],
    ]) {
      const result = await run(args);
      expect(result, args.join(' ')).toEqual({ code: 1, stdout: '', stderr: `error: --at: ${message}\n` });
    }
    // The issue day itself is fine: the directive exists from its start.
    expect((await run(['evaluate', '--at', '2023-02-23'])).code).toBe(0);

    const api = await fetch(`${running.baseUrl}/v1/targets?at=1990-01-01`);
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({
      error: {
        code: 'as_of_before_issue',
        message: `at: ${message}`,
        issues: [{ code: 'as_of_before_issue', field: 'at', message }],
      },
    });
    const page = await fetch(`${running.baseUrl}/?at=1990-01-01`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('is before Directive 05/CT-TTg (2023) on Scheme 06 was issued (2023-02-23)');
  });
});
