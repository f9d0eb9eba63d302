import net from 'node:net';

/** Where the tests find the real services; each test file isolates itself in its own schema / key prefix. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** CI sets PACER_REQUIRE_SERVICES=1: a missing PostgreSQL or Redis then fails the run instead of falling back. */
export const servicesRequired = process.env.PACER_REQUIRE_SERVICES === '1';

/** Whether something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, defaultPort: number, timeoutMs = 1_000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port) || defaultPort });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const postgresReachable = () => reachable(testDatabaseUrl, 5432);
export const redisReachable = () => reachable(testRedisUrl, 6379);
