import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSchema, defaultBackend, dropSchema, schemaUrl, uniqueSchema } from './test-database.js';

export const pacerBin = path.resolve('bin/pacer.js');

/** Compiles src/ into dist/, the code `bin/pacer.js` runs (`--check`: exit 1 when dist/ is stale). */
export const buildScript = path.resolve('scripts/build.js');

/** Environment for a child `pacer`: the parent's PATH, nothing else inherited by accident. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...extra };
}

/** Runs `pacer ARGS` to completion. */
export function runPacerCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [pacerBin, ...args],
      { env: childEnv(env), cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningChild {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `pacer start` and waits until `/readyz` answers 200 (or the deadline passes). */
export async function startPacer(
  env: Record<string, string | undefined>,
  options: { args?: string[]; readyWithinMs?: number; cwd?: string } = {},
): Promise<RunningChild & { readyAfterMs: number }> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [pacerBin, 'start', ...(options.args ?? [])], {
    env: childEnv({ PORT: String(port), HOST: '127.0.0.1', ...env }),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = started + (options.readyWithinMs ?? 30_000);
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    const status = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) {
      ready = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`pacer did not become ready within ${options.readyWithinMs ?? 30_000} ms; output:\n${output}`);
  }
  return {
    child,
    port,
    baseUrl,
    readyAfterMs: Date.now() - started,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * `pacer start` with the demo data on the default backend: PostgreSQL in a schema of its own when
 * there is one, else the embedded database in a temporary folder; `cleanup` removes both after stop.
 */
export async function startDemoPacer(prefix: string): Promise<{ server: RunningChild; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `pacer-${prefix}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if ((await defaultBackend()) !== 'postgres')
    return { server: await startPacer({ PACER_DATA_DIR: dataDir }), cleanup: removeDir };
  const schema = uniqueSchema(prefix);
  await createSchema(schema);
  const server = await startPacer({ PACER_DATA_DIR: dataDir, DATABASE_URL: schemaUrl(schema) });
  return {
    server,
    cleanup: async () => {
      await removeDir();
      await dropSchema(schema);
    },
  };
}
