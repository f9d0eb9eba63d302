import type { Logger } from '../logging/logger.js';
import type { EvaluationRunner, EvaluationScopeName, EvaluationTrigger } from './evaluation-runner.js';

/**
 * In-process trigger (no Redis, one process): many ingest batches in a burst lead to one
 * evaluation `delayMs` after the last, and never two at once (a request during a run schedules one
 * more after it). It evaluates the changed targets only, unless a request in the burst asked for all.
 */
export class DebouncedEvaluationTrigger implements EvaluationTrigger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;
  private scope: EvaluationScopeName = 'changes';
  private nextScope: EvaluationScopeName = 'changes';

  constructor(
    private readonly runner: EvaluationRunner,
    private readonly options: { delayMs: number; logger: Logger },
  ) {}

  requestEvaluation(reason: string, scope: EvaluationScopeName = 'changes'): void {
    if (this.stopped) return;
    this.options.logger.debug({ reason, scope }, 'evaluation requested');
    if (this.running) {
      this.again = true;
      if (scope === 'all') this.nextScope = 'all';
      return;
    }
    if (scope === 'all') this.scope = 'all';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.options.delayMs);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const scope = this.scope;
    this.scope = 'changes';
    this.running = (scope === 'all' ? this.runner.evaluate() : this.runner.evaluateChanges()).catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'evaluation failed'),
    );
    await this.running;
    this.running = undefined;
    if (this.again && !this.stopped) {
      this.again = false;
      const next = this.nextScope;
      this.nextScope = 'changes';
      this.requestEvaluation('requested during the previous run', next);
    }
  }

  /** Cancels a pending run and waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
