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
 *
 * A Redis restarted without persistence comes back without the schedulers: the role does all of
 * this again on every reconnect and every `reconcileMs`. Upserting is idempotent, so schedulers
 * reconciling at once need no coordination; the missed slot's job id and the runs table keep each
 * slot to one run.
 */
export class BullmqSchedulerRole implements Role {
  readonly name = 'scheduler' as const;
  private queue: Queue | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<unknown> | undefined;
  private readonly onReady = () => this.reconcileInBackground('reconnected');

  constructor(
    private readonly deps: {
      redis: Redis;
      queue: QueueSettings;
      feeds: FeedRegistry;
      store: FeedRunStore;
      evaluationCron: string;
      timezone: string;
      reconcileMs: number;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async start(): Promise<void> {
    await assertNoEviction(this.deps.redis);
    const queue = new Queue(this.deps.queue.name, { connection: this.deps.redis, prefix: this.deps.queue.prefix });
    this.queue = queue;
    await this.reconcile(queue, { catchUp: true });
    const feeds = this.enabledFeeds().map((f) => f.id);
    this.deps.logger.info({ feeds, evaluation: this.deps.evaluationCron }, 'feed schedules upserted');
    this.deps.redis.on('ready', this.onReady);
    this.timer = setInterval(() => this.reconcileInBackground('interval'), this.deps.reconcileMs);
    this.timer.unref();
  }

  /**
   * The keys of the job schedulers this role owns that Redis does not have: what health reports.
   * Empty while all exist; every key before the role started.
   */
  async missingSchedulers(): Promise<string[]> {
    const wanted = this.wantedKeys();
    if (!this.queue) return wanted;
    const present = new Set((await this.queue.getJobSchedulers(0, -1)).map((s) => s.key));
    return wanted.filter((key) => !present.has(key));
  }

  private enabledFeeds() {
    return this.deps.feeds.all().filter((f) => f.enabled);
  }

  private wantedKeys(): string[] {
    return [...this.enabledFeeds().map((f) => `${FEED_SCHEDULER}${f.id}`), EVALUATION_SCHEDULER];
  }

  /** One reconciliation at a time; a failure is logged and the next reconnect or interval tries again. */
  private reconcileInBackground(reason: 'reconnected' | 'interval'): void {
    const queue = this.queue;
    if (!queue || this.reconciling) return;
    this.reconciling = (async () => {
      const missing = await this.missingSchedulers();
      // Missed slots are caught up at start and after a reconnect (Redis may have lost queued jobs),
      // not on the interval: a failing feed's last slot would be run again every time.
      await this.reconcile(queue, { catchUp: reason === 'reconnected' });
      if (missing.length > 0) {
        this.deps.logger.warn({ reason, schedulers: missing }, 're-created job schedulers Redis had lost');
      }
    })()
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, reason }, 'could not reconcile the job schedulers');
      })
      .finally(() => (this.reconciling = undefined));
  }

  private async reconcile(queue: Queue, options: { catchUp: boolean }): Promise<void> {
    // Missed slots are reckoned from before the upserts: a scheduler's first job is for a slot after
    // its upsert, so a slot boundary passing meanwhile cannot make the catch-up run that slot too.
    const now = this.deps.now?.() ?? new Date();
    const feeds = this.enabledFeeds();
    for (const feed of feeds) {
      const data: FeedJobData = { feedId: feed.id, trigger: 'schedule' };
      await queue.upsertJobScheduler(
        `${FEED_SCHEDULER}${feed.id}`,
        { pattern: feed.schedule.cron, tz: feed.schedule.timezone },
        {
          name: jobNames.feed,
          data,
          opts: feedJobOptions(feed),
        },
      );
    }
    const wanted = new Set(feeds.map((f) => `${FEED_SCHEDULER}${f.id}`));
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      if (scheduler.key.startsWith(FEED_SCHEDULER) && !wanted.has(scheduler.key)) {
        await queue.removeJobScheduler(scheduler.key);
        this.deps.logger.info({ scheduler: scheduler.key }, 'removed the schedule of a feed no longer in jobs/');
      }
    }
    await queue.upsertJobScheduler(
      EVALUATION_SCHEDULER,
      { pattern: this.deps.evaluationCron, tz: this.deps.timezone },
      {
        name: jobNames.evaluate,
        data: {},
        opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
      },
    );

    if (!options.catchUp) return;
    const stats = await this.deps.store.stats(feedDurationBuckets);
    const lastSuccess = new Map(stats.map((s) => [s.feedId, s.lastSuccessAt]));
    for (const { feed, slot } of missedSlots(feeds, lastSuccess, now)) {
      const data: FeedJobData = { feedId: feed.id, slot: slot.toISOString(), trigger: 'catchup' };
      // The job id dedupes schedulers starting together; the runs table dedupes across restarts.
      await queue.add(jobNames.feed, data, { ...feedJobOptions(feed), jobId: `catchup:${feed.id}:${slot.getTime()}` });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.deps.redis.off('ready', this.onReady);
    const queue = this.queue;
    this.queue = undefined;
    // A reconciliation waiting on an unreachable Redis is not waited for: its commands would never run.
    if (this.reconciling && this.deps.redis.status === 'ready') await this.reconciling;
    await queue?.close();
  }
}
