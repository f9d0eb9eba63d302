import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluationRunner } from '../evaluation/evaluation-runner.js';
import type { FeedRunner } from '../feeds/feed-runner.js';
import type { Logger } from '../logging/logger.js';
import { settlesWithin, type Role } from '../roles/role.js';
import {
  feedJobSchema,
  jobNames,
  PermanentRunError,
  runFeedJob,
  type EvaluateJobData,
  type QueueSettings,
} from './feed-job.js';
import { assertNoEviction } from './redis-connection.js';

export interface WorkerSettings {
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal; the worker renews it every half. A worker that dies loses it and the
   * job is retried elsewhere.
   */
  lockDurationMs: number;
  /** How long stop() waits for jobs in flight before handing them back. */
  shutdownGraceMs: number;
}

/**
 * The worker role with Redis: takes feed and evaluation jobs from the queue, `concurrency` at a
 * time; runs as many processes on as many machines as needed. A failed run is retried with the
 * feed's backoff unless it cannot succeed (bad data, bad configuration, bad job data: an
 * UnrecoverableError). A job whose worker died (SIGKILL, lost machine) is stalled and retried by
 * another worker; the runs table makes the slot run once.
 */
export class BullmqWorkerRole implements Role {
  readonly name = 'worker' as const;
  private worker: Worker | undefined;
  private readonly shutdown = new AbortController();

  constructor(
    private readonly deps: {
      redis: Redis;
      queue: QueueSettings;
      runner: FeedRunner;
      evaluation: EvaluationRunner;
      settings: WorkerSettings;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await assertNoEviction(this.deps.redis);
    const run = await this.deps.evaluation.evaluate();
    this.deps.logger.info(
      { runId: run.runId, targets: run.targets, ms: Math.round(run.durationMs) },
      'evaluated all targets',
    );
    const { settings } = this.deps;
    this.worker = new Worker(this.deps.queue.name, (job) => this.process(job), {
      connection: this.deps.redis,
      prefix: this.deps.queue.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: Math.max(1_000, Math.round(settings.lockDurationMs / 2)),
      maxStalledCount: 3,
    });
    this.worker.on('failed', (job, error) =>
      this.deps.logger.warn({ job: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'),
    );
    this.worker.on('error', (error) => this.deps.logger.error({ err: error }, 'worker error'));
    this.deps.logger.info({ concurrency: settings.concurrency, lockMs: settings.lockDurationMs }, 'worker taking jobs');
  }

  private async process(job: Job): Promise<unknown> {
    if (job.name === jobNames.evaluate) {
      const changesOnly = (job.data as EvaluateJobData | undefined)?.scope === 'changes';
      const run = changesOnly ? await this.deps.evaluation.evaluateChanges() : await this.deps.evaluation.evaluate();
      return { runId: run.runId, targets: run.targets, evaluated: run.evaluated, statusChanges: run.statusChanges };
    }
    if (job.name !== jobNames.feed) throw new UnrecoverableError(`unknown job name "${job.name}"`);
    const parsed = feedJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid feed job data: ${parsed.error.message}`);
    // Scheduled jobs carry their slot in the scheduler's prevMillis; catch-up and manual ones in their data.
    const slotMs = parsed.data.slot ? Date.parse(parsed.data.slot) : (job.opts.prevMillis ?? job.timestamp);
    try {
      return await runFeedJob(this.deps.runner, {
        feedId: parsed.data.feedId,
        slot: new Date(slotMs),
        trigger: parsed.data.trigger,
        signal: this.shutdown.signal,
      });
    } catch (error) {
      throw error instanceof PermanentRunError ? new UnrecoverableError(error.message) : error;
    }
  }

  /**
   * Stops taking jobs, waits up to the grace period for those in flight, then aborts them (their locks lapse and
   * another worker retries them).
   */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    if (!(await settlesWithin(worker.close(), this.deps.settings.shutdownGraceMs))) {
      this.deps.logger.warn(
        { graceMs: this.deps.settings.shutdownGraceMs },
        'jobs still running after the grace period: handing them back',
      );
      this.shutdown.abort();
      await worker.close(true);
    }
  }
}
