import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScript, runPacerCli } from '../support/pacer-process.js';

// The packages a command needs only once it runs: none may load to print help or to read the
// scorecard from a server.
const heavyPackages = [
  'pg',
  'pg-copy-streams',
  'kysely',
  '@electric-sql/pglite',
  'fastify',
  'bullmq',
  'ioredis',
  'node-cron',
  'cron-parser',
  'pino',
  'pino-pretty',
  'prom-client',
  'yaml',
  'csv-parse',
  'zod',
  '@grafana/grafana-foundation-sdk',
];

let dir: string;
let hooks: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pacer-startup-'));
  // A module resolve hook that writes every URL the process loads (bin, dist, packages) to a file.
  await writeFile(
    path.join(dir, 'trace-hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const resolved = await next(specifier, context);\n' +
      "  appendFileSync(process.env.PACER_TEST_MODULE_TRACE, resolved.url + '\\n');\n" +
      '  return resolved;\n' +
      '}\n',
  );
  hooks = path.join(dir, 'trace.mjs');
  await writeFile(
    hooks,
    "import { register } from 'node:module';\n" +
      `register(${JSON.stringify(pathToFileURL(path.join(dir, 'trace-hooks.mjs')).href)});\n`,
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

let traces = 0;

/** Runs `pacer ARGS` and returns what it printed and every module it loaded. */
async function traced(args: string[], env: Record<string, string> = {}) {
  const trace = path.join(dir, `modules-${traces++}.txt`);
  const result = await runPacerCli(args, {
    ...env,
    NODE_OPTIONS: `--import=${pathToFileURL(hooks).href}`,
    PACER_TEST_MODULE_TRACE: trace,
  });
  const modules = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
  const root = pathToFileURL(path.resolve('.')).href;
  const own = modules.filter((m) => m.startsWith(`${root}/`) && !m.includes('/node_modules/'));
  const packages = new Set(
    modules.flatMap((m) => {
      const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m);
      return match ? [match[1]!] : [];
    }),
  );
  return { ...result, own: own.map((m) => m.slice(root.length + 1)), packages };
}

describe('the pacer command line', () => {
  it('runs the compiled build in dist/: --help loads no TypeScript source and not tsx', async () => {
    const help = await traced(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: pacer');
    expect(help.own).toContain('dist/cli.js');
    expect(help.own.filter((m) => !m.startsWith('dist/') && m !== 'bin/pacer.js')).toEqual([]);
    expect(help.packages).not.toContain('tsx');
  });

  it('prints every command and option without loading a database, queue, HTTP, log or schema library', async () => {
    for (const args of [['--help'], ['status', '--help'], ['push', '--help'], ['catalog', 'apply', '--help']]) {
      const help = await traced(args);
      expect(help.code, help.stderr).toBe(0);
      expect(
        [...help.packages].filter((p) => heavyPackages.includes(p)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('runs the sources through tsx under PACER_DEV=1', async () => {
    const help = await traced(['--help'], { PACER_DEV: '1' });
    expect(help.code, help.stderr).toBe(0);
    expect(help.packages).toContain('tsx');
    expect(help.own).toContain('src/cli.ts');
    expect(help.own.filter((m) => m.startsWith('dist/'))).toEqual([]);
  });

  describe('pacer status --url', () => {
    let server: Server;
    let base: string;
    let answer: unknown;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.writeHead(request.url?.startsWith('/v1/targets') ? 200 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise((resolve) => server.close(resolve)));

    it('prints the scorecard a server answers, loading only what fetches and prints it', async () => {
      answer = JSON.parse(await readFile('tests/cli/golden/status-2023-06-30.json', 'utf8'));
      const status = await traced(['status', '--url', base]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^Off track\s+vneid-accounts-40m\s+4\.8%/m);
      expect([...status.packages].filter((p) => heavyPackages.includes(p))).toEqual([]);
      expect(
        status.own.filter((m) => /^dist\/(main|storage|http\/server|scorecard\/scorecard-schema)/.test(m)),
      ).toEqual([]);
    });

    it('exits 2 naming the first wrong field when the answer is not a target list', async () => {
      const golden = JSON.parse(await readFile('tests/cli/golden/status-2023-06-30.json', 'utf8')) as {
        targets: Record<string, unknown>[];
      };
      golden.targets[2]!.status = 'late';
      answer = golden;
      const status = await runPacerCli(['status', '--url', base]);
      expect(status.code).toBe(2);
      expect(status.stderr).toContain('did not answer with a target list (is it a Pacer of this version?): ');
      expect(status.stderr).toContain('targets[2].status: expected one of missed, off_track,');
    });
  });
});

describe('dist/', () => {
  it('is built from exactly the sources in the tree (the test setup builds it)', async () => {
    const check = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [buildScript, '--check'], (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(check.code, check.stderr).toBe(0);
  });

  it('holds a compiled file for every source file and none for a source that is gone', async () => {
    const files = async (root: string) =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    const sources = (await files('src')).map((f) => f.replace(/\.ts$/, '.js')).sort();
    const compiled = (await files('dist')).filter((f) => f !== '.source-hash').sort();
    expect(compiled).toEqual(sources);
  });
});
