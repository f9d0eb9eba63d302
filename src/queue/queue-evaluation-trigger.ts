import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluationScopeName, EvaluationTrigger } from '../evaluation/evaluation-runner.js';
import type { Logger } from '../logging/logger.js';
import { jobNames, type EvaluateJobData, type QueueSettings } from './feed-job.js';
import { EVALUATION_DEBOUNCE_MS } from './job-runtime.js';

/**
 * "Evaluate soon" through the queue (any process with Redis): adds one delayed evaluation job.
 * BullMQ's deduplication folds every request until that job starts into it, and a request while
 * it runs into one more job after it (`keepLastIfActive`), so a burst of batches costs at most two
 * evaluations and never two at once. Which batches the job covers it reads from PostgreSQL, so
 * folding requests loses nothing.
 */
export class QueueEvaluationTrigger implements EvaluationTrigger {
  private readonly queue: Queue;

  constructor(private readonly deps: { redis: Redis; queue: QueueSettings; logger: Logger }) {
    this.queue = new Queue(deps.queue.name, { connection: deps.redis, prefix: deps.queue.prefix });
  }

  requestEvaluation(reason: string, scope: EvaluationScopeName = 'changes'): void {
    const data: EvaluateJobData = { reason, scope };
    this.queue
      .add(jobNames.evaluate, data, {
        delay: EVALUATION_DEBOUNCE_MS,
        deduplication: { id: `evaluate-${scope}`, keepLastIfActive: true },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      })
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'could not ask for an evaluation; the next tick will do it'),
      );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
