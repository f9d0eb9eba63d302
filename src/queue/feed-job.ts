import { z } from 'zod';
import { NotFoundError } from '../errors/pacer-error.js';
import type { FeedRunner, FeedRunResult } from '../feeds/feed-runner.js';
import type { FeedDefinition } from '../feeds/feed-schema.js';

/** Where BullMQ keeps the queue in Redis. */
export interface QueueSettings {
  /** BullMQ key prefix: one per deployment (and per test file). */
  prefix: string;
  name: string;
}

/**
 * The options of every job of one feed, scheduled or caught up: its retries with exponential
 * backoff, and how many finished jobs Redis keeps for inspection.
 */
export function feedJobOptions(feed: FeedDefinition) {
  return {
    attempts: feed.retries.attempts + 1,
    backoff: { type: 'exponential', delay: feed.retries.backoff },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}

/** The queue's job names: one feed slot, or one evaluation of every target. */
export const jobNames = { feed: 'feed', evaluate: 'evaluate' } as const;

/**
 * An evaluation job's data: `changes` (after ingest batches) evaluates the targets changed since the
 * newest run; `all`, or no scope (the scheduler's tick), every target.
 */
export interface EvaluateJobData {
  reason?: string;
  scope?: 'changes' | 'all';
}

/** A feed job's data, validated when a worker takes it (a bad job fails for good, unretried). */
export const feedJobSchema = z.strictObject({
  feedId: z.string().min(1),
  /** Set on catch-up and manual jobs; scheduled jobs take their slot from the scheduler. */
  slot: z.iso.datetime().optional(),
  trigger: z.enum(['schedule', 'catchup', 'manual']).default('schedule'),
});
export type FeedJobData = z.input<typeof feedJobSchema>;

/** A run that failed and may succeed if tried again (the source was down, the database busy). */
export class RetryableRunError extends Error {
  override readonly name = 'RetryableRunError';
}

/** A run that will fail the same way every time (malformed data, bad configuration). */
export class PermanentRunError extends Error {
  override readonly name = 'PermanentRunError';
}

/**
 * The one job body both runtimes (BullMQ workers, in-process cron) call: runs the slot and turns a
 * failed run into an error saying whether a retry can help. A feed no longer in jobs/ (a job queued
 * before it was removed) cannot succeed either.
 */
export async function runFeedJob(
  runner: FeedRunner,
  job: { feedId: string; slot: Date; trigger: 'schedule' | 'catchup' | 'manual'; signal?: AbortSignal },
): Promise<FeedRunResult> {
  const result = await runner.run(job).catch((error: unknown) => {
    throw error instanceof NotFoundError ? new PermanentRunError(error.message, { cause: error }) : error;
  });
  if (result.outcome === 'failed') {
    const where = result.error.issues[0]
      ? ` (line ${result.error.issues[0].line}, field ${result.error.issues[0].field || '-'}: ` +
        `${result.error.issues[0].message})`
      : '';
    const message =
      `feed ${job.feedId} run ${job.slot.toISOString()} failed: ${result.error.code}: ` +
      `${result.error.message}${where}`;
    throw result.retryable ? new RetryableRunError(message) : new PermanentRunError(message);
  }
  return result;
}

/** Exponential backoff: `base`, 2×, 4×, ... before attempts 2, 3, 4. */
export function backoffDelay(baseMs: number, failedAttempts: number): number {
  return baseMs * 2 ** Math.max(0, failedAttempts - 1);
}
