import type { EvaluationRunner, EvaluationTrigger } from '../evaluation/evaluation-runner.js';
import type { FeedRegistry } from '../feeds/feed-registry.js';
import type { FeedRunStore } from '../feeds/feed-run-store.js';
import type { FeedRunner } from '../feeds/feed-runner.js';
import type { Logger } from '../logging/logger.js';
import type { Role, RoleName } from '../roles/role.js';

/**
 * How long after an ingest batch its evaluation waits: batches in that window share one evaluation.
 * Short, because the evaluation after a batch covers only the targets it changed (a few hundred
 * milliseconds at 10,000 targets); a burst arriving while one runs is folded into one more after it.
 */
export const EVALUATION_DEBOUNCE_MS = 200;

/** One health check: passed, or failed with why. */
export interface RuntimeCheck {
  ok: boolean;
  detail?: string;
}

/** What every runtime is built from: the roles this process plays and how to evaluate. */
export interface JobRuntimeOptions {
  roles: readonly RoleName[];
  evaluation: EvaluationRunner;
  evaluationCron: string;
  logger: Logger;
}

/** What the scheduler and worker roles run: the feeds, their runs, and the evaluation. */
export interface JobRuntimeDeps {
  feeds: FeedRegistry;
  store: FeedRunStore;
  runner: FeedRunner;
  evaluation: EvaluationRunner;
  /** The time zone of the evaluation tick's cron (the catalog's). */
  timezone: string;
}

/**
 * Where jobs run, chosen once from configuration: BullMQ on Redis (`REDIS_URL`), or node-cron in
 * this process. The roles and ingestion see only this interface, so nothing else asks which one.
 */
export interface JobRuntime {
  readonly kind: 'bullmq' | 'in-process';
  /**
   * How this process asks for an evaluation after each committed ingest batch, given the roles it
   * plays; undefined when it has no way to (an api-only process without Redis: the tick does it).
   */
  readonly evaluationTrigger: EvaluationTrigger | undefined;
  /** The scheduler role: fires each feed on its schedule and the evaluation tick. */
  schedulerRole(deps: JobRuntimeDeps): Role;
  /** The worker role: runs feed slots and evaluations. */
  workerRole(deps: JobRuntimeDeps): Role;
  /**
   * The runtime's part of readiness and the heartbeat, by name: for BullMQ, whether Redis answers
   * (for the roles that need it) and whether the job schedulers the scheduler role owns exist.
   * Never waits on an unreachable Redis.
   */
  checks(): Promise<Record<string, RuntimeCheck>>;
  close(): Promise<void>;
}
