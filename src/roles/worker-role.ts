import type { EvaluationRunner } from '../evaluation/evaluation-runner.js';
import type { Logger } from '../logging/logger.js';
import type { Role } from './role.js';

/** Runs evaluations (and, with the scheduled feeds, pulls): evaluates once at start so /metrics is current. */
export class WorkerRole implements Role {
  readonly name = 'worker' as const;

  constructor(private readonly deps: { evaluation: EvaluationRunner; logger: Logger }) {}

  async start(): Promise<void> {
    const run = await this.deps.evaluation.evaluate();
    this.deps.logger.info(
      { runId: run.runId, targets: run.targets, statusChanges: run.statusChanges, ms: Math.round(run.durationMs) },
      'evaluated all targets',
    );
  }

  async stop(): Promise<void> {}
}
