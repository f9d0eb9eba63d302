import { DebouncedEvaluationTrigger } from '../evaluation/debounced-evaluation-trigger.js';
import { WorkerRole } from '../roles/worker-role.js';
import { InProcessSchedulerRole } from './in-process-scheduler-role.js';
import { EVALUATION_DEBOUNCE_MS, type JobRuntime, type JobRuntimeOptions } from './job-runtime.js';

/**
 * Jobs in this process (no `REDIS_URL`): node-cron fires the feeds and the evaluation tick, and a
 * debounced trigger evaluates after ingest batches. With no queue to hand work to, a process that
 * plays the scheduler or the worker role evaluates; an api-only process leaves it to the tick.
 */
export function inProcessRuntime(options: JobRuntimeOptions & { shutdownGraceMs: number }): JobRuntime {
  const trigger = new DebouncedEvaluationTrigger(options.evaluation, {
    delayMs: EVALUATION_DEBOUNCE_MS,
    logger: options.logger,
  });
  return {
    kind: 'in-process',
    evaluationTrigger: options.roles.includes('worker') || options.roles.includes('scheduler') ? trigger : undefined,
    schedulerRole: (deps) =>
      new InProcessSchedulerRole({
        feeds: deps.feeds,
        runner: deps.runner,
        store: deps.store,
        evaluation: trigger,
        evaluationCron: options.evaluationCron,
        timezone: deps.timezone,
        shutdownGraceMs: options.shutdownGraceMs,
        logger: options.logger,
      }),
    workerRole: (deps) => new WorkerRole({ evaluation: deps.evaluation, logger: options.logger }),
    checks: async () => ({}),
    close: () => trigger.stop(),
  };
}
