import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { Logger } from '../logging/logger.js';
import type { SessionLease } from './session-lease.js';

/**
 * The port in the socket's file name. PostgreSQL clients find a server's Unix socket as
 * `DIR/.s.PGSQL.PORT`, so naming it so lets `pg` (and `psql -h DIR`) connect with no special code.
 */
export const endpointPort = 5432;

/** Where the process owning the embedded database in `dataDir` serves it. */
export function endpointPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), `.s.PGSQL.${endpointPort}`);
}

/** The queue contract pglite-socket's handler runs every client message through. */
type QueryQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'];

const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const IDLE = 0x49; // 'I': ReadyForQuery's status outside a transaction block
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

export interface PGliteEndpointOptions {
  pglite: PGlite;
  /** The lease this process's own queries take; clients take the same one. */
  lease: SessionLease;
  /** The socket file: {@link endpointPath} of the data directory. */
  path: string;
  logger?: Logger;
  /**
   * A client that holds the session (a transaction open) and sends nothing for this long is
   * disconnected and its transaction rolled back, so a stuck command cannot stall the server.
   */
  idleInTransactionMs?: number;
}

/**
 * The embedded database served to other `pacer` processes over the PostgreSQL wire protocol, on
 * a Unix socket in the data directory (only this user can connect: PGlite has no authentication,
 * the file's permissions are the guard). pglite-socket does the protocol framing; the scheduling
 * is ours: a client takes the {@link SessionLease} at its first message and keeps it until the
 * backend reports itself idle outside a transaction, so its statements and this process's never
 * interleave. pglite-socket's own multiplexer queues per message and does not see this process's
 * queries at all.
 */
export class PGliteEndpoint {
  private constructor(
    readonly path: string,
    private readonly server: net.Server,
    private readonly sessions: ClientSessions,
  ) {}

  /** Listens on `options.path`, replacing a socket file a dead owner left (the caller holds the data directory). */
  static async serve(options: PGliteEndpointOptions): Promise<PGliteEndpoint> {
    const sessions = new ClientSessions(options);
    const server = net.createServer((socket) => sessions.accept(socket));
    await rm(options.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => options.logger?.warn({ err: error }, 'database endpoint error'));
    // Owner only, whatever the umask: anyone who can connect can read and write everything.
    await chmod(options.path, 0o600);
    return new PGliteEndpoint(options.path, server, sessions);
  }

  /** Disconnects every client (rolling back what they left open), stops listening and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.sessions.disconnectAll();
    await closed;
    await rm(this.path, { force: true });
  }
}

/** The clients' turns on the one PGlite session: what pglite-socket's handler calls for each message. */
class ClientSessions {
  private readonly held = new Map<number, () => void>();
  private readonly tails = new Map<number, Promise<unknown>>();
  private readonly idleTimers = new Map<number, NodeJS.Timeout>();
  private readonly sockets = new Map<number, net.Socket>();
  private readonly gone = new Map<number, Promise<void>>();
  private readonly goneHooks = new Map<number, () => void>();
  private readonly ended = new Set<number>();

  constructor(private readonly options: PGliteEndpointOptions) {}

  accept(socket: net.Socket): void {
    // The handler takes its queue as an option; this class keeps the contract the handler calls.
    const handler = new PGLiteSocketHandler({ queryQueue: this as unknown as QueryQueue, closeOnDetach: true });
    const id = handler.handlerId;
    this.sockets.set(id, socket);
    socket.once('close', () => this.sockets.delete(id));
    // Resolved by clearTransactionIfNeeded, which the handler calls once its socket closes or fails.
    this.gone.set(id, new Promise<void>((resolve) => this.goneHooks.set(id, resolve)));
    handler.attach(socket).catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, 'database endpoint: could not attach a client');
      socket.destroy();
    });
  }

  /** Runs one client message when the session is this client's; resolves with the bytes answered. */
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const run = (this.tails.get(handlerId) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.execute(handlerId, message, onData));
    this.tails.set(handlerId, run);
    return run;
  }

  private async execute(id: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Terminate is not forwarded: the backend is shared and stays up; the socket closing next puts the session back.
    if (this.ended.has(id) || message[0] === TERMINATE) return 0;
    clearTimeout(this.idleTimers.get(id));
    if (!this.held.has(id)) {
      const release = await this.options.lease.acquire();
      if (this.ended.has(id)) {
        release();
        return 0;
      }
      this.held.set(id, release);
    }
    const { pglite } = this.options;
    const scanner = new ReadyForQueryScanner();
    let bytes = 0;
    await pglite.runExclusive(() =>
      pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          bytes += data.length;
          scanner.push(data);
          onData(data);
        },
      }),
    );
    if (scanner.status === IDLE) this.handBack(id);
    else if (this.options.idleInTransactionMs)
      this.idleTimers.set(
        id,
        setTimeout(() => {
          this.options.logger?.warn(
            { idleMs: this.options.idleInTransactionMs },
            'database endpoint: a client held the database idle in a transaction; disconnected, its work rolled back',
          );
          this.sockets.get(id)?.destroy();
        }, this.options.idleInTransactionMs).unref(),
      );
    return bytes;
  }

  private handBack(id: number): void {
    clearTimeout(this.idleTimers.get(id));
    this.idleTimers.delete(id);
    const release = this.held.get(id);
    this.held.delete(id);
    release?.();
  }

  /** The client is gone: nothing more of it runs. */
  clearQueueForHandler(handlerId: number): void {
    this.ended.add(handlerId);
  }

  /**
   * The client is gone (closed, reset, timed out): if it held the session mid-way, end what it
   * left (a half-sent extended query, an open transaction) before anyone else gets the session.
   * Never rejects: the handler does not wait for it.
   */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.ended.add(handlerId);
    await this.tails.get(handlerId)?.catch(() => undefined);
    this.tails.delete(handlerId);
    if (this.held.has(handlerId)) {
      const { pglite } = this.options;
      try {
        await pglite.runExclusive(() => pglite.execProtocolRaw(SYNC));
        if (pglite.isInTransaction()) await pglite.exec('rollback');
      } catch (error) {
        this.options.logger?.error({ err: error }, 'database endpoint: could not roll back what a client left open');
      }
      this.handBack(handlerId);
    }
    this.ended.delete(handlerId);
    this.gone.delete(handlerId);
    this.goneHooks.get(handlerId)?.();
    this.goneHooks.delete(handlerId);
  }

  async disconnectAll(): Promise<void> {
    const gone = [...this.gone.values()];
    for (const socket of this.sockets.values()) socket.destroy();
    await Promise.all(gone);
  }
}

/**
 * Follows the backend's messages across chunks and keeps the status byte of the last one when it
 * is a ReadyForQuery: the backend is done with the client's request, idle (`I`) or inside a
 * transaction block (`T`, `E`).
 */
class ReadyForQueryScanner {
  status: number | undefined;
  private readonly header = new Uint8Array(5);
  private filled = 0;
  private remaining = 0;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.filled < 5) {
        this.header[this.filled++] = chunk[i++]!;
        if (this.filled === 5) {
          const length = new DataView(this.header.buffer).getInt32(1);
          this.remaining = length - 4;
          this.status = undefined;
          if (this.remaining <= 0) this.filled = 0;
        }
        continue;
      }
      if (this.header[0] === READY_FOR_QUERY && this.remaining === 1) this.status = chunk[i];
      const n = Math.min(this.remaining, chunk.length - i);
      i += n;
      this.remaining -= n;
      if (this.remaining === 0) this.filled = 0;
    }
  }
}
