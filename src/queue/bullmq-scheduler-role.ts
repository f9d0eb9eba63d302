import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { feedDurationBuckets } from '../feeds/feed-metrics.js';
import { missedSlots, type FeedRegistry } from '../feeds/feed-registry.js';
import type { FeedRunStore } from '../feeds/feed-run-store.js';
import type { Logger } from '../logging/logger.js';
import type { Role } from '../roles/role.js';
import { feedJobOptions, jobNames, type FeedJobData, type QueueSettings } from './feed-job.js';
import { assertNoEviction } from './redis-connection.js';

const FEED_SCHEDULER = 'feed:';
const EVALUATION_SCHEDULER = 'evaluation';

/**
 * The scheduler role with Redis: upserts one BullMQ job scheduler per enabled feed and one for the
 * evaluation tick, removes schedulers of feeds no longer in jobs/, and enqueues each feed's missed
 * slot once. Upserts are atomic in Redis, so any number of schedulers starting together leave
 * exactly one scheduler and one delayed job per feed. Nothing runs here: workers take the jobs.
 */
export class BullmqSchedulerRole implements Role {
  readonly name = 'scheduler' as const;
  private queue: Queue | undefined;

  constructor(
    private readonly deps: { redis: Redis; queue: QueueSettings; feeds: FeedRegistry; store: FeedRunStore; evaluationCron: string; timezone: string; logger: Logger; now?: () => Date },
  ) {}

  async start(): Promise<void> {
    await assertNoEviction(this.deps.redis);
    const queue = new Queue(this.deps.queue.name, { connection: this.deps.redis, prefix: this.deps.queue.prefix });
    this.queue = queue;
    const feeds = this.deps.feeds.all().filter((f) => f.enabled);
    for (const feed of feeds) {
      const data: FeedJobData = { feedId: feed.id, trigger: 'schedule' };
      await queue.upsertJobScheduler(`${FEED_SCHEDULER}${feed.id}`, { pattern: feed.schedule.cron, tz: feed.schedule.timezone }, {
        name: jobNames.feed,
        data,
        opts: feedJobOptions(feed),
      });
    }
    const wanted = new Set(feeds.map((f) => `${FEED_SCHEDULER}${f.id}`));
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      if (scheduler.key.startsWith(FEED_SCHEDULER) && !wanted.has(scheduler.key)) {
        await queue.removeJobScheduler(scheduler.key);
        this.deps.logger.info({ scheduler: scheduler.key }, 'removed the schedule of a feed no longer in jobs/');
      }
    }
    await queue.upsertJobScheduler(EVALUATION_SCHEDULER, { pattern: this.deps.evaluationCron, tz: this.deps.timezone }, { name: jobNames.evaluate, data: {}, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } } });

    const stats = await this.deps.store.stats(feedDurationBuckets);
    const lastSuccess = new Map(stats.map((s) => [s.feedId, s.lastSuccessAt]));
    for (const { feed, slot } of missedSlots(feeds, lastSuccess, this.deps.now?.() ?? new Date())) {
      const data: FeedJobData = { feedId: feed.id, slot: slot.toISOString(), trigger: 'catchup' };
      // The job id dedupes schedulers starting together; the runs table dedupes across restarts.
      await queue.add(jobNames.feed, data, { ...feedJobOptions(feed), jobId: `catchup:${feed.id}:${slot.getTime()}` });
    }
    this.deps.logger.info({ feeds: feeds.map((f) => f.id), evaluation: this.deps.evaluationCron }, 'feed schedules upserted');
  }

  async stop(): Promise<void> {
    await this.queue?.close();
    this.queue = undefined;
  }
}
