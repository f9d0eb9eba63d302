import { spawnSync } from 'node:child_process';
import { buildScript } from './pacer-process.js';
import { postgresReachable, redisReachable, servicesRequired, testDatabaseUrl, testRedisUrl } from './services.js';

/**
 * Builds dist/ from the sources in the tree (nothing to do when it already is), so the tests that
 * run `bin/pacer.js` run the compiled code that ships, and never a stale build of it.
 */
function buildDist(): void {
  const build = spawnSync(process.execPath, [buildScript], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`node scripts/build.js failed (${build.status ?? build.signal})`);
}

/** Builds dist/, and fails the run up front when CI requires the real services and one is missing. */
export default async function globalSetup(): Promise<void> {
  buildDist();
  const [pg, redis] = await Promise.all([postgresReachable(), redisReachable()]);
  if (servicesRequired) {
    const missing = [!pg && `PostgreSQL at ${testDatabaseUrl}`, !redis && `Redis at ${testRedisUrl}`].filter(Boolean);
    if (missing.length > 0) throw new Error(`PACER_REQUIRE_SERVICES=1 but not reachable: ${missing.join(', ')}`);
  } else if (!pg) {
    console.warn(`PostgreSQL not reachable at ${testDatabaseUrl}: database tests run on embedded PGlite only`);
  }
}
