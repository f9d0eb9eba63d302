import { setTimeout as sleep } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import type { EvaluationTrigger } from '../evaluation/evaluation-runner.js';
import { feedDurationBuckets } from '../feeds/feed-metrics.js';
import { missedSlots, slotsAround, type FeedRegistry } from '../feeds/feed-registry.js';
import type { FeedRunStore } from '../feeds/feed-run-store.js';
import type { FeedRunner } from '../feeds/feed-runner.js';
import type { FeedDefinition } from '../feeds/feed-schema.js';
import type { Logger } from '../logging/logger.js';
import { settlesWithin, type Role } from '../roles/role.js';
import { backoffDelay, PermanentRunError, runFeedJob } from './feed-job.js';

/**
 * The scheduler role without Redis: node-cron fires each enabled feed in this process and the
 * same job code runs it, with the feed's retries and backoff. A feed never overlaps itself: a
 * slot that comes while the previous run is still going is skipped (and logged), as BullMQ's
 * one-job-per-slot would only queue it behind. Missed slots run once at start.
 */
export class InProcessSchedulerRole implements Role {
  readonly name = 'scheduler' as const;
  private tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly deps: {
      feeds: FeedRegistry;
      runner: FeedRunner;
      store: FeedRunStore;
      evaluation: EvaluationTrigger;
      evaluationCron: string;
      timezone: string;
      shutdownGraceMs: number;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    const feeds = this.deps.feeds.all().filter((f) => f.enabled);
    // Missed slots are reckoned from before the timers start, so a tick cannot run the caught-up slot again.
    const now = new Date();
    for (const feed of feeds) {
      // The slot is the scheduled time the tick belongs to; the half-second lookahead keeps a timer
      // that fires a little early from naming the slot before it.
      this.tasks.push(
        cron.schedule(
          feed.schedule.cron,
          () => this.fire(feed, slotsAround(feed, new Date(Date.now() + 500)).previous, 'schedule'),
          { timezone: feed.schedule.timezone, name: `feed:${feed.id}` },
        ),
      );
    }
    this.tasks.push(
      cron.schedule(this.deps.evaluationCron, () => this.deps.evaluation.requestEvaluation('schedule', 'all'), {
        timezone: this.deps.timezone,
        name: 'evaluation',
      }),
    );
    const stats = await this.deps.store.stats(feedDurationBuckets);
    const lastSuccess = new Map(stats.map((s) => [s.feedId, s.lastSuccessAt]));
    for (const { feed, slot } of missedSlots(feeds, lastSuccess, now)) this.fire(feed, slot, 'catchup');
    this.deps.logger.info({ feeds: feeds.map((f) => f.id) }, 'feeds scheduled in process');
  }

  /** Starts a run unless the feed is still running; never throws (the cron callback must not). */
  private fire(feed: FeedDefinition, slot: Date, trigger: 'schedule' | 'catchup'): void {
    if (this.shutdown.signal.aborted) return;
    if (this.running.has(feed.id)) {
      this.deps.logger.warn({ feed: feed.id, slot: slot.toISOString() }, 'previous run still going: slot skipped');
      return;
    }
    const run = this.runWithRetries(feed, slot, trigger).finally(() => this.running.delete(feed.id));
    this.running.set(feed.id, run);
  }

  private async runWithRetries(feed: FeedDefinition, slot: Date, trigger: 'schedule' | 'catchup'): Promise<void> {
    const signal = this.shutdown.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        await runFeedJob(this.deps.runner, { feedId: feed.id, slot, trigger, signal });
        return;
      } catch (error) {
        if (error instanceof PermanentRunError || attempt > feed.retries.attempts || signal.aborted) {
          this.deps.logger.error({ feed: feed.id, attempt, err: error }, 'feed run failed');
          return;
        }
        await sleep(backoffDelay(feed.retries.backoff, attempt), undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
      }
    }
  }

  /** Stops the schedules and waits up to the grace period for runs in flight, then aborts them. */
  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    const all = Promise.all(this.running.values());
    const finished = await settlesWithin(all, this.deps.shutdownGraceMs);
    // Past the grace period runs in flight are aborted (their batches roll back); either way nothing new starts.
    this.shutdown.abort();
    if (!finished) await all;
  }
}
