import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { UnavailableError } from '../errors/pacer-error.js';
import type { Logger } from '../logging/logger.js';
import type { DB } from './database-schema.js';
import { PGliteDialect } from './pglite-dialect.js';
import { endpointPath, endpointPort, PGliteEndpoint } from './pglite-endpoint.js';
import { SessionLease } from './session-lease.js';

/**
 * The storage handle the wiring passes to repositories. Which engine is behind it is chosen by
 * configuration; repositories use `db` (kysely) and reach for the raw handles only for what the
 * query builder does not cover (COPY).
 */
export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: 'postgres' | 'pglite';
  /** The pg pool, on PostgreSQL. */
  readonly pool?: pg.Pool;
  /** The embedded engine, on PGlite. */
  readonly pglite?: PGlite;
  /**
   * Set when this handle reaches the embedded database through the process that owns it (its
   * endpoint), because that process holds the data directory.
   */
  readonly owner?: { readonly pid: number; readonly endpoint: string };
  /**
   * Serves this embedded database to other `pacer` processes on a Unix socket in its data
   * directory until `close`, and resolves with the socket's path. Only PGlite on disk has it.
   */
  share?(): Promise<string>;
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; without it, the embedded PGlite under `dataDir` is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` for a throwaway in-memory database. */
  dataDir?: string;
  /** Schema to create and put first on the search path (tests use one per file). */
  schema?: string;
  poolMax?: number;
  logger?: Logger;
  /**
   * When another process holds the embedded database and shares it ({@link Database.share}),
   * connect through it instead of failing with `database_locked`: what one-shot commands do
   * beside a running `pacer start`.
   */
  viaOwner?: boolean;
}

/** A client holding the shared embedded database in an idle transaction this long is disconnected. */
const OWNER_IDLE_IN_TRANSACTION_MS = 60_000;

// Both engines return the same JS types: int8 as number (ids and counts stay far below 2^53) and
// dates as 'YYYY-MM-DD' strings, so no time zone shifts a calendar date.
const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    if (oid === INT8_ARRAY)
      return (v: string) => (pg.types.getTypeParser(INT8_ARRAY as never) as (s: string) => string[])(v).map(Number);
    if (oid === DATE) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return createPostgres(options.url, options);
  return createPGlite(options.dataDir ?? './.pacer', options);
}

async function createPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  if (options.schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect().catch((cause: unknown) => {
      throw unreachable(url, cause);
    });
    try {
      await admin.query(`create schema if not exists ${quoteIdent(options.schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A backend dying (restart, network cut) emits on idle clients; without a listener it would crash the process.
  pool.on('error', (error) => options.logger?.warn({ error: briefly(error) }, 'idle PostgreSQL connection lost'));
  // A checked-out client between two queries (a transaction waiting for the next chunk of a
  // request body) emits the same error on itself, where the pool does not listen: listen on every
  // client. Its next query then fails, and the holder releases it as broken.
  pool.on('connect', (client) =>
    client.on('error', (error) => options.logger?.warn({ error: briefly(error) }, 'PostgreSQL connection lost')),
  );
  // One connection up front: an unreachable server is one clear error here, not a driver's stack from the first query.
  const first = await pool.connect().catch(async (cause: unknown) => {
    await pool.end().catch(() => undefined);
    throw unreachable(url, cause);
  });
  first.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    pool,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw new UnavailableError(`PostgreSQL unreachable: ${(cause as Error).message}`, {
          cause,
          code: 'database_unavailable',
        });
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function createPGlite(dataDir: string, options: DatabaseOptions): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let lockFile: string | undefined;
  let pgDir = dataDir;
  if (!inMemory) {
    await mkdir(dataDir, { recursive: true });
    lockFile = path.join(dataDir, 'pacer.lock');
    const holder = await lockHolder(lockFile);
    if (holder !== undefined) {
      if (!options.viaOwner) throw lockedError(dataDir, holder);
      return connectToOwner(dataDir, holder, options);
    }
    await writeFile(lockFile, `${process.pid}\n`);
    pgDir = path.join(dataDir, 'pgdata');
  }
  const pglite = new PGlite(pgDir, { parsers: { [DATE]: (v: string) => v } });
  try {
    await pglite.waitReady;
    if (options.schema) {
      await pglite.exec(
        `create schema if not exists ${quoteIdent(options.schema)}; set search_path to ${quoteIdent(options.schema)}`,
      );
    }
  } catch (cause) {
    if (lockFile) await rm(lockFile, { force: true });
    throw new UnavailableError(`cannot open the embedded database in ${dataDir}: ${(cause as Error).message}`, {
      cause,
      code: 'database_unavailable',
    });
  }
  // One lease on the one session, for this process's queries and the endpoint's clients alike.
  const lease = new SessionLease();
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite, lease) });
  let endpoint: PGliteEndpoint | undefined;
  return {
    db,
    kind: 'pglite',
    pglite,
    ...(inMemory
      ? {}
      : {
          async share() {
            endpoint ??= await PGliteEndpoint.serve({
              pglite,
              lease,
              path: endpointPath(dataDir),
              logger: options.logger,
              idleInTransactionMs: OWNER_IDLE_IN_TRANSACTION_MS,
            });
            return endpoint.path;
          },
        }),
    async ping() {
      if (pglite.closed)
        throw new UnavailableError('the embedded database is closed', { code: 'database_unavailable' });
      await sql`select 1`.execute(db);
    },
    async close() {
      // Clients first: what they left open is rolled back while the database is still there.
      await endpoint?.close();
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      if (lockFile) await rm(lockFile, { force: true });
    },
  };
}

/**
 * The embedded database through the endpoint of the process that holds it, with the same `pg`
 * driver and kysely dialect as PostgreSQL. One connection, as PGlite has one session: a command's
 * queries run one after another, as they do in process, and a transaction is never split across
 * connections waiting on each other.
 */
async function connectToOwner(dataDir: string, pid: number, options: DatabaseOptions): Promise<Database> {
  const endpoint = endpointPath(dataDir);
  const pool = new pg.Pool({
    // A directory as host: pg connects to its `.s.PGSQL.<port>` socket.
    host: path.dirname(endpoint),
    port: endpointPort,
    user: 'postgres',
    database: 'postgres',
    ssl: false,
    max: 1,
    types: pgTypes,
  });
  pool.on('error', (error) => options.logger?.warn({ error: briefly(error) }, 'connection to the database owner lost'));
  const first = await pool.connect().catch(async (cause: unknown) => {
    await pool.end().catch(() => undefined);
    const reason = (cause as { code?: string }).code ?? (cause as Error).message;
    throw lockedError(dataDir, pid, `, which does not share it (${endpoint}: ${reason})`);
  });
  first.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pglite',
    owner: { pid, endpoint },
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw new UnavailableError(`the embedded database's owner (process ${pid}) does not answer`, {
          cause,
          code: 'database_unavailable',
        });
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same files would corrupt them.
 * A lock file with our pid keeps a second `pacer` out and says who holds it; a lock left by a
 * process that no longer exists is taken over. Resolves with the pid of a live holder.
 */
async function lockHolder(lockFile: string): Promise<number | undefined> {
  const held = await readFile(lockFile, 'utf8').catch(() => undefined);
  const pid = held ? Number(held.trim()) : NaN;
  return Number.isInteger(pid) && pid !== process.pid && isAlive(pid) ? pid : undefined;
}

function lockedError(dataDir: string, pid: number, detail = ''): UnavailableError {
  return new UnavailableError(
    `the embedded database in ${dataDir} is in use by process ${pid}${detail}; stop it first, or set DATABASE_URL ` +
      `to share a PostgreSQL`,
    { code: 'database_locked' },
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PostgreSQL cannot be reached: names the variable and the server (password hidden), for the operator to check. */
function unreachable(url: string, cause: unknown): UnavailableError {
  const reason = (cause as Error).message || String((cause as { code?: string }).code ?? cause);
  return new UnavailableError(`cannot reach PostgreSQL at DATABASE_URL=${redactUrl(url)}: ${reason}`, {
    cause,
    code: 'database_unavailable',
  });
}

/** An error without what pg hangs on it (the whole client, with its connection parameters). */
function briefly(error: Error): { message: string; code?: string } {
  return { message: error.message, code: (error as { code?: string }).code };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
