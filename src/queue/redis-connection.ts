import { Redis } from 'ioredis';
import { ConfigError } from '../errors/pacer-error.js';
import type { Logger } from '../logging/logger.js';
import { redactUrl } from '../storage/database.js';

/**
 * A Redis connection for BullMQ: `maxRetriesPerRequest: null` so blocking commands wait through
 * a Redis restart instead of failing, and reconnects with a capped backoff, forever.
 *
 * Losing Redis is logged once, naming `REDIS_URL` (password hidden), and again only after it came
 * back and was lost anew: every failed attempt would otherwise be an error event, which ioredis
 * prints as a stack when nobody listens.
 */
export function openRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    logger.error(`cannot reach Redis at REDIS_URL=${redactUrl(url)} (${error.message}): retrying until it answers`);
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info('Redis answers again');
  });
  return redis;
}

/** Closes a connection without waiting for commands queued while Redis is unreachable (they would never run). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
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
      `Redis maxmemory-policy is "${policy ?? 'unknown'}": BullMQ needs "noeviction", or Redis may evict queued jobs ` +
        `and locks under memory pressure and feeds would silently stop. Run CONFIG SET maxmemory-policy noeviction ` +
        `(and set it in redis.conf).`,
      [
        {
          code: 'redis_eviction_policy',
          field: 'REDIS_URL',
          message: `maxmemory-policy is ${policy ?? 'unknown'}, expected noeviction`,
        },
      ],
    );
  }
}
