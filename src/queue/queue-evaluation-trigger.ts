import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluationTrigger } from '../evaluation/evaluation-runner.js';
import type { Logger } from '../logging/logger.js';
import { jobNames, type QueueSettings } from './feed-job.js';
import { EVALUATION_DEBOUNCE_MS } from './job-runtime.js';

/**
 * "Evaluate soon" from a process that does not evaluate (an api-only process with Redis): adds one
 * delayed evaluation job; BullMQ's deduplication folds every request until that job has run into it.
 */
export class QueueEvaluationTrigger implements EvaluationTrigger {
  private readonly queue: Queue;

  constructor(private readonly deps: { redis: Redis; queue: QueueSettings; logger: Logger }) {
    this.queue = new Queue(deps.queue.name, { connection: deps.redis, prefix: deps.queue.prefix });
  }

  requestEvaluation(reason: string): void {
    this.queue
      .add(
        jobNames.evaluate,
        { reason },
        {
          delay: EVALUATION_DEBOUNCE_MS,
          deduplication: { id: 'evaluate-after-ingest' },
          removeOnComplete: true,
          removeOnFail: { count: 100 },
        },
      )
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'could not ask for an evaluation; the next tick will do it'),
      );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
