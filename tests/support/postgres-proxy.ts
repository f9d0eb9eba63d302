import net from 'node:net';
import { freePort } from './pacer-process.js';
import { testDatabaseUrl } from './services.js';

/** A TCP proxy in front of the shared PostgreSQL, on a port of the test's own. */
export interface PostgresProxy {
  /** The proxy's port: a server connected through it can be cut off alone. */
  port: number;
  /** The test database URL, through the proxy. */
  url: string;
  /** Starts (or restarts) accepting connections. */
  open(): Promise<void>;
  /** Stops accepting and drops every connection through it: PostgreSQL is unreachable for its clients. */
  cut(): Promise<void>;
}

/**
 * Closing the proxy makes the database unreachable for the server connected through it, and for no
 * one else: a real outage for one process, the shared PostgreSQL untouched.
 */
export async function postgresProxy(): Promise<PostgresProxy> {
  const upstream = new URL(testDatabaseUrl);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((downstream) => {
    const up = net.connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.add(downstream).add(up);
    const drop = () => {
      downstream.destroy();
      up.destroy();
    };
    downstream.on('error', drop).on('close', drop).pipe(up);
    up.on('error', drop).on('close', drop).pipe(downstream);
  });
  const port = await freePort();
  const url = new URL(testDatabaseUrl);
  url.port = String(port);
  return {
    port,
    url: url.toString(),
    open: () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', () => resolve())),
    cut: () =>
      new Promise<void>((resolve) => {
        if (!proxy.listening) return resolve();
        proxy.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      }),
  };
}
