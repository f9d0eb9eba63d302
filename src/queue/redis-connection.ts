import { Redis } from 'ioredis';
import { ConfigError } from '../errors/pacer-error.js';

/**
 * A Redis connection for BullMQ: `maxRetriesPerRequest: null` so blocking commands wait through
 * a Redis restart instead of failing, and reconnects with a capped backoff.
 */
export function openRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(times * 200, 2_000) });
}

/**
 * BullMQ keeps jobs, locks and schedulers in Redis keys; an evicting Redis silently loses them.
 * Refuses to run unless `maxmemory-policy` is `noeviction` (read from INFO, which managed Redis
 * services allow where CONFIG is disabled).
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const info = await redis.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  if (policy !== 'noeviction') {
    throw new ConfigError(
      `Redis maxmemory-policy is "${policy ?? 'unknown'}": BullMQ needs "noeviction", or Redis may evict queued jobs and locks under memory pressure and feeds would silently stop. Run CONFIG SET maxmemory-policy noeviction (and set it in redis.conf).`,
      [{ code: 'redis_eviction_policy', field: 'REDIS_URL', message: `maxmemory-policy is ${policy ?? 'unknown'}, expected noeviction` }],
    );
  }
}
