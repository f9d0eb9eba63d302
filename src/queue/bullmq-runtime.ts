import { DebouncedEvaluationTrigger } from '../evaluation/debounced-evaluation-trigger.js';
import { BullmqSchedulerRole } from './bullmq-scheduler-role.js';
import { BullmqWorkerRole, type WorkerSettings } from './bullmq-worker-role.js';
import type { QueueSettings } from './feed-job.js';
import { EVALUATION_DEBOUNCE_MS, type JobRuntime, type JobRuntimeOptions } from './job-runtime.js';
import { QueueEvaluationTrigger } from './queue-evaluation-trigger.js';
import { closeRedis, openRedis } from './redis-connection.js';

/**
 * Jobs on Redis through BullMQ (`REDIS_URL` set): the scheduler role upserts job schedulers,
 * workers on any number of machines take the jobs. A worker process evaluates after its own
 * ingest batches; an api-only process asks the workers with one deduplicated queue job.
 */
export function bullmqRuntime(
  options: JobRuntimeOptions & { redisUrl: string; queue: QueueSettings; worker: WorkerSettings },
): JobRuntime {
  const redis = openRedis(options.redisUrl, options.logger);
  const local = new DebouncedEvaluationTrigger(options.evaluation, {
    delayMs: EVALUATION_DEBOUNCE_MS,
    logger: options.logger,
  });
  const roles = options.roles;
  const queued = !roles.includes('worker') && roles.includes('api')
    ? new QueueEvaluationTrigger({ redis, queue: options.queue, logger: options.logger })
    : undefined;
  return {
    kind: 'bullmq',
    evaluationTrigger: roles.includes('worker') ? local : queued,
    schedulerRole: (deps) =>
      new BullmqSchedulerRole({
        redis,
        queue: options.queue,
        feeds: deps.feeds,
        store: deps.store,
        evaluationCron: options.evaluationCron,
        timezone: deps.timezone,
        logger: options.logger,
      }),
    workerRole: (deps) =>
      new BullmqWorkerRole({
        redis,
        queue: options.queue,
        runner: deps.runner,
        evaluation: deps.evaluation,
        settings: options.worker,
        logger: options.logger,
      }),
    healthy: async () => redis.status === 'ready',
    async close() {
      await local.stop();
      await queued?.close();
      await closeRedis(redis);
    },
  };
}
