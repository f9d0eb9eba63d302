import { BullmqSchedulerRole } from './bullmq-scheduler-role.js';
import { BullmqWorkerRole, type WorkerSettings } from './bullmq-worker-role.js';
import type { QueueSettings } from './feed-job.js';
import type { JobRuntime, JobRuntimeOptions, RuntimeCheck } from './job-runtime.js';
import { QueueEvaluationTrigger } from './queue-evaluation-trigger.js';
import { closeRedis, openRedis } from './redis-connection.js';

/** How long a health check waits for Redis to list the job schedulers. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Jobs on Redis through BullMQ (`REDIS_URL` set): the scheduler role upserts job schedulers,
 * workers on any number of machines take the jobs. After an ingest batch any process asks the
 * workers for an evaluation of the changed targets with one deduplicated queue job.
 */
export function bullmqRuntime(
  options: JobRuntimeOptions & { redisUrl: string; queue: QueueSettings; worker: WorkerSettings; reconcileMs: number },
): JobRuntime {
  const redis = openRedis(options.redisUrl, options.logger);
  const roles = options.roles;
  // Every process asks through the queue, worker or not: BullMQ's deduplication coalesces the
  // requests of every process, and the workers run them one at a time.
  const queued =
    roles.includes('worker') || roles.includes('api')
      ? new QueueEvaluationTrigger({ redis, queue: options.queue, logger: options.logger })
      : undefined;
  let scheduler: BullmqSchedulerRole | undefined;
  // An api-only process needs Redis only to ask for evaluations, which the tick also does: not a health matter.
  const needsRedis = roles.includes('worker') || roles.includes('scheduler');
  return {
    kind: 'bullmq',
    evaluationTrigger: queued,
    schedulerRole: (deps) =>
      (scheduler = new BullmqSchedulerRole({
        redis,
        queue: options.queue,
        feeds: deps.feeds,
        store: deps.store,
        evaluationCron: options.evaluationCron,
        timezone: deps.timezone,
        reconcileMs: options.reconcileMs,
        logger: options.logger,
      })),
    workerRole: (deps) =>
      new BullmqWorkerRole({
        redis,
        queue: options.queue,
        runner: deps.runner,
        evaluation: deps.evaluation,
        settings: options.worker,
        logger: options.logger,
      }),
    async checks() {
      const checks: Record<string, RuntimeCheck> = {};
      if (!needsRedis) return checks;
      const ready = redis.status === 'ready';
      checks.redis = ready ? { ok: true } : { ok: false, detail: `Redis is ${redis.status}` };
      if (scheduler) {
        // A command sent as the connection drops waits for the reconnect: health must answer before that.
        const missing = ready ? await answerWithin(scheduler.missingSchedulers(), CHECK_TIMEOUT_MS) : undefined;
        checks.schedules = !missing
          ? { ok: false, detail: 'unknown while Redis does not answer' }
          : missing.length > 0
            ? { ok: false, detail: `job schedulers missing from Redis: ${missing.join(', ')}` }
            : { ok: true };
      }
      return checks;
    },
    async close() {
      await queued?.close();
      await closeRedis(redis);
    },
  };
}

/** `work`'s value, or undefined when it fails or takes longer than `ms`. */
async function answerWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
