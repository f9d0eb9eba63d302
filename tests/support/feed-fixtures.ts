import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Database } from '../../src/storage/database.js';
import { which } from './binaries.js';
import { childEnv, freePort, pacerBin } from './pacer-process.js';
import { postgresReachable, redisReachable, servicesRequired, testDatabaseUrl, testRedisUrl } from './services.js';

/**
 * Whether the queue tests can run: the real PostgreSQL and Redis reachable, and redis-server on
 * PATH (some tests start their own). Without them the tests are skipped, unless
 * PACER_REQUIRE_SERVICES=1, which makes that an error.
 */
export async function queueServicesAvailable(): Promise<boolean> {
  const [pg, redis] = await Promise.all([postgresReachable(), redisReachable()]);
  const missing = [
    !pg && `PostgreSQL at ${testDatabaseUrl}`,
    !redis && `Redis at ${testRedisUrl}`,
    !which('redis-server') && 'redis-server on PATH',
  ].filter(Boolean);
  if (missing.length === 0) return true;
  if (servicesRequired) throw new Error(`PACER_REQUIRE_SERVICES=1 but missing: ${missing.join(', ')}`);
  return false;
}

/** The shipped catalog (Directive 05, Viet Nam), which every feed of these tests writes into. */
export const catalogDir = path.resolve('catalog');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A fresh folder for a test's jobs/ (or Redis files); `removeTempDirs` deletes them all. */
const tempDirs: string[] = [];
export async function tempDir(prefix = 'pacer-queue-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A unique BullMQ key prefix for one test file. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`;
}

export interface FeedFile {
  id: string;
  schedule: string | { cron: string; timezone?: string };
  source: Record<string, unknown>;
  mapping?: Record<string, unknown>;
  retries?: { attempts?: number; backoff?: string };
  timeout?: string;
  enabled?: boolean;
  indicators?: string[];
  mode?: 'atomic' | 'partial';
  expected_every?: string;
}

/** Writes `jobs/<id>.yaml` (JSON is YAML) and returns its path. */
export async function writeFeed(jobsDir: string, feed: FeedFile): Promise<string> {
  const file = path.join(jobsDir, `${feed.id}.yaml`);
  const { expected_every = '1h', indicators = ['vneid_*'], ...rest } = feed;
  await writeFile(
    file,
    JSON.stringify({ apiVersion: 'pacer/v1', kind: 'Feed', expected_every, indicators, ...rest }, null, 2),
  );
  return file;
}

/** A schedule that never comes during a test: the only run is the catch-up of the missed previous slot. */
export const yearly = { cron: '0 0 1 1 *', timezone: 'UTC' };

export interface SourceRecord {
  indicator: string;
  region: string;
  observed_at: string;
  value: number;
}

/** `n` national figures of `indicator` on consecutive days from 2023-06-01, each its own observation. */
export function sourceRecords(n: number, indicator = 'vneid_accounts_issued', base = 1_000_000): SourceRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    indicator,
    region: 'VN',
    observed_at: new Date(Date.UTC(2023, 5, 1 + i)).toISOString().slice(0, 10),
    value: base + i * 1_000,
  }));
}

export const ndjsonLines = (records: SourceRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`);
export const csvLines = (records: SourceRecord[], header = 'observed_on,indicator,region,value') => [
  `${header}\n`,
  ...records.map((r) => `${r.observed_at},${r.indicator},${r.region},${r.value}\n`),
];

export interface SourceHit {
  path: string;
  at: number;
  /** Requests of the same path in progress when this one arrived, itself included. */
  concurrent: number;
  status?: number;
  /** Whether the whole answer was sent (false while streaming, or when the client went away). */
  completed: boolean;
}

export type SourceHandler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  hit: SourceHit,
) => Promise<void> | void;

/**
 * The HTTP source of the feeds under test, in the test process: each path answers with a handler
 * the test can swap; every request is recorded with its arrival time and how many requests of the
 * same path were in progress (runs of one feed must never overlap).
 */
export class SourceServer {
  readonly hits: SourceHit[] = [];
  private readonly handlers = new Map<string, SourceHandler>();
  private readonly active = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  url(pathname: string): string {
    return `http://127.0.0.1:${this.port}${pathname}`;
  }

  on(pathname: string, handler: SourceHandler): this {
    this.handlers.set(pathname, handler);
    return this;
  }

  hitsOf(pathname: string): SourceHit[] {
    return this.hits.filter((h) => h.path === pathname);
  }

  maxConcurrent(pathname: string): number {
    return Math.max(0, ...this.hitsOf(pathname).map((h) => h.concurrent));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    const active = (this.active.get(pathname) ?? 0) + 1;
    this.active.set(pathname, active);
    const hit: SourceHit = { path: pathname, at: Date.now(), concurrent: active, completed: false };
    this.hits.push(hit);
    response.once('finish', () => (hit.completed = true));
    response.once('close', () => this.active.set(pathname, (this.active.get(pathname) ?? 1) - 1));
    const handler = this.handlers.get(pathname);
    try {
      if (!handler) {
        response.writeHead(404).end();
        return;
      }
      await handler(request, response, hit);
    } catch {
      response.destroy();
    } finally {
      hit.status = response.statusCode;
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Answers 200 with `lines`, spread over `totalMs` (the run is as slow as the source). Stops if the client goes
 * away.
 */
export function streamed(
  lines: string[],
  options: { totalMs?: number; contentType?: string; status?: number } = {},
): SourceHandler {
  return async (_request, response) => {
    response.writeHead(options.status ?? 200, { 'content-type': options.contentType ?? 'application/x-ndjson' });
    const pause = lines.length > 0 ? (options.totalMs ?? 0) / lines.length : 0;
    for (const line of lines) {
      if (response.destroyed) return;
      response.write(line);
      if (pause > 0) await sleep(pause);
    }
    response.end();
  };
}

export function status(code: number, body = 'unavailable'): SourceHandler {
  return (_request, response) => void response.writeHead(code, { 'content-type': 'text/plain' }).end(body);
}

/** A `pacer` child started without waiting for /readyz (scheduler or worker roles serve none). */
export interface PacerChild {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const children = new Set<ChildProcess>();

export function spawnPacer(env: Record<string, string | undefined>, args: string[]): PacerChild {
  const child = spawn(process.execPath, [pacerBin, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs = 30_000) {
      await waitFor(
        () => {
          if (pattern.test(output)) return true;
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(
              `pacer ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) ` +
                `before printing ${pattern}:\n${output}`,
            );
          return false;
        },
        `${pattern} from pacer ${args.join(' ')}; output so far:\n${output}`,
        timeoutMs,
        50,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** SIGKILLs every child spawnPacer started that is still running (afterAll). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return gone;
    }),
  );
  children.clear();
}

/** A redis-server of the test's own on a free port, which the test can stop and start again. */
export class RedisChild {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  static async start(options: { policy?: string; dir?: string; appendonly?: boolean } = {}): Promise<RedisChild> {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--maxmemory-policy',
      options.policy ?? 'noeviction',
    ];
    if (options.appendonly) args.push('--appendfsync', 'always');
    if (options.dir) args.push('--dir', options.dir);
    const redis = new RedisChild(port, args);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  output(): string {
    return this.log;
  }

  async up(): Promise<void> {
    const child = spawn('redis-server', this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited:\n${this.log}`);
        const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      },
      `redis-server on port ${this.port}`,
      15_000,
    );
  }

  /** SIGTERM (Redis saves what it persists and exits) and waits for the exit. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
}

/** A BullMQ queue on the same Redis, prefix and name ('pacer') as the processes under test. */
export function openQueue(
  redisUrl: string,
  prefix: string,
): { queue: Queue; redis: Redis; close(obliterate?: boolean): Promise<void> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue('pacer', { connection: redis, prefix });
  return {
    queue,
    redis,
    async close(obliterate = true) {
      if (obliterate) await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/**
 * The environment of a pacer child under test: PostgreSQL schema, jobs folder, queue prefix, the shipped catalog,
 * no demo data.
 */
export function feedEnv(options: {
  databaseUrl: string;
  jobsDir: string;
  prefix: string;
  redisUrl?: string;
  extra?: Record<string, string>;
}): Record<string, string | undefined> {
  return {
    DATABASE_URL: options.databaseUrl,
    PACER_JOBS_DIR: options.jobsDir,
    PACER_QUEUE_PREFIX: options.prefix,
    REDIS_URL: options.redisUrl,
    PACER_DEMO_DATA: 'false',
    PACER_CATALOG_DIR: catalogDir,
    PACER_WORKER_LOCK_SECONDS: '4',
    PACER_SHUTDOWN_GRACE_SECONDS: '2',
    // No evaluation tick in the middle of a test.
    PACER_EVALUATION_SCHEDULE: '0 0 1 1 *',
    LOG_LEVEL: 'info',
    ...options.extra,
  };
}

/** The runs of a feed in the runs table, oldest slot first. */
export function runsOf(database: Database, feedId: string) {
  return database.db.selectFrom('feed_runs').selectAll().where('feed_id', '=', feedId).orderBy('slot').execute();
}

/** What a feed wrote: its committed batches and the observations of `indicator` in the database. */
export async function written(
  database: Database,
  feedId: string,
  indicator: string,
): Promise<{ batches: { status: string; inserted: number; idempotency_key: string | null }[]; observations: number }> {
  const batches = await database.db
    .selectFrom('ingest_batches')
    .select(['status', 'inserted', 'idempotency_key'])
    .where('feed', '=', feedId)
    .orderBy('id')
    .execute();
  const { count } = await database.db
    .selectFrom('observations')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('indicator_id', '=', indicator)
    .executeTakeFirstOrThrow();
  return { batches: batches.map((b) => ({ ...b, inserted: Number(b.inserted) })), observations: Number(count) };
}
