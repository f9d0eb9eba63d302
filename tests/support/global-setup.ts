import { postgresReachable, redisReachable, servicesRequired, testDatabaseUrl, testRedisUrl } from './services.js';

/** Fails the run up front when CI requires the real services and one is missing. */
export default async function globalSetup(): Promise<void> {
  const [pg, redis] = await Promise.all([postgresReachable(), redisReachable()]);
  if (servicesRequired) {
    const missing = [!pg && `PostgreSQL at ${testDatabaseUrl}`, !redis && `Redis at ${testRedisUrl}`].filter(Boolean);
    if (missing.length > 0) throw new Error(`PACER_REQUIRE_SERVICES=1 but not reachable: ${missing.join(', ')}`);
  } else if (!pg) {
    console.warn(`PostgreSQL not reachable at ${testDatabaseUrl}: database tests run on embedded PGlite only`);
  }
}
