/**
 * How long do people wait for the command line? Times, in one run, a bare `node -e 0` (the
 * reference: what any Node program costs to start) and the commands people type: `pacer --help`
 * through bin/pacer.js and through npx, and `pacer status --url` against a Pacer API this bench
 * starts itself (`pacer start`, every role, as `npm start` runs it, on the embedded database in a
 * temporary folder, with the demo data: the api answers from the worker's newest evaluation). The
 * server's answer to the same request, timed from this process, is printed below it: `status
 * --url` waits for it, and what is left is the command's own start.
 *
 *   npm run bench:cli [-- --runs 20]
 *
 * The commands take turns, round after round, so a noisy neighbour slows them alike. Prints the
 * median and p95 of each, and the median's difference to the reference's (the goal: at most
 * 300 ms). `npx` adds npm's own start, timed as `npx --version` for comparison.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/pacer-process.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Math.max(1, Number(values.runs));
const goalMs = 300;

const dir = await mkdtemp(path.join(os.tmpdir(), 'pacer-bench-cli-'));
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
const api = spawn(process.execPath, ['bin/pacer.js', 'start'], {
  env: { ...env, PACER_DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1' },
  stdio: ['ignore', 'inherit', 'inherit'],
});

interface Timed {
  label: string;
  /** A command to spawn, or a request this process makes (no process start: the server's share). */
  argv?: string[];
  request?: string;
  reference?: boolean;
  /** Where the command runs (default: this checkout). */
  cwd?: string;
}

// A user's project with Pacer installed as a dependency (node_modules/pacer and its bin link, as npm
// lays them out): there npx finds node_modules/.bin/pacer at once. In this checkout it cannot: npm
// exec runs a project's own bin by loading the whole installed tree with Arborist first.
const userProject = path.join(dir, 'user-project');
await mkdir(path.join(userProject, 'node_modules', '.bin'), { recursive: true });
await writeFile(path.join(userProject, 'package.json'), '{ "name": "user-project", "private": true }\n');
await symlink(process.cwd(), path.join(userProject, 'node_modules', 'pacer'));
await symlink('../pacer/bin/pacer.js', path.join(userProject, 'node_modules', '.bin', 'pacer'));

const commands: Timed[] = [
  { label: 'node -e 0', argv: [process.execPath, '-e', '0'], reference: true },
  { label: 'node bin/pacer.js --help', argv: [process.execPath, 'bin/pacer.js', '--help'] },
  { label: 'npx --version', argv: ['npx', '--version'] },
  { label: 'npx pacer --help (in this checkout)', argv: ['npx', 'pacer', '--help'] },
  { label: 'npx pacer --help (pacer installed)', argv: ['npx', 'pacer', '--help'], cwd: userProject },
  {
    label: 'node bin/pacer.js status --url http://127.0.0.1:PORT',
    argv: [process.execPath, 'bin/pacer.js', 'status', '--url', baseUrl],
  },
  { label: '  of which the server: GET /v1/targets', request: `${baseUrl}/v1/targets` },
];

try {
  await waitReady();
  const times = new Map(commands.map((c) => [c, [] as number[]]));
  for (const command of commands) await time(command); // warm-up: file cache, the server's first answer
  for (let round = 0; round < runs; round++) {
    for (const command of commands) times.get(command)!.push(await time(command));
  }

  const cpus = os.cpus();
  console.log(
    `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, load average ` +
      `${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${runs} runs each, taking turns`,
  );
  const reference = median(times.get(commands[0]!)!);
  const width = Math.max(...commands.map((c) => c.label.length));
  console.log(`${'command'.padEnd(width)}  ${'median'.padStart(8)}  ${'p95'.padStart(8)}  vs node -e 0`);
  for (const command of commands) {
    const t = times.get(command)!;
    const over = median(t) - reference;
    // npx's own start is npm's, not Pacer's: its figure is for comparison with npx --version.
    const goal = !command.label.startsWith('node bin') ? '' : over <= goalMs ? ' (goal met)' : ' (over the goal)';
    const verdict = command.reference
      ? 'reference'
      : command.request
        ? 'no process started'
        : `${over >= 0 ? '+' : ''}${over.toFixed(0)} ms${goal}`;
    const figures = `${ms(median(t)).padStart(8)}  ${ms(percentile(t, 0.95)).padStart(8)}`;
    console.log(`${command.label.padEnd(width)}  ${figures}  ${verdict}`);
  }
  console.log(`goal: pacer --help and pacer status --url within ${goalMs} ms of node -e 0`);
  console.log(
    "npx adds npm's own work: compare npx pacer with npx --version. In this checkout npm loads the whole " +
      "installed tree (Arborist) to run the project's own bin; where pacer is installed, it finds node_modules/.bin",
  );
} finally {
  api.kill('SIGTERM');
  await new Promise((resolve) => (api.exitCode === null ? api.once('exit', resolve) : resolve(undefined)));
  await rm(dir, { recursive: true, force: true });
}

/** Wall time of one run, from spawn to exit (or of the request); a failing command stops the bench. */
async function time(command: Timed): Promise<number> {
  if (command.request) {
    const started = performance.now();
    const response = await fetch(command.request);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${command.request} answered ${response.status}`);
    return performance.now() - started;
  }
  const [file, ...args] = command.argv!;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file!, args, { env, cwd: command.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${file} ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

/** The nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not become ready');
}
