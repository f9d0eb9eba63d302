import type { Logger } from '../logging/logger.js';
import type { EvaluationRunner, EvaluationTrigger } from './evaluation-runner.js';

/**
 * In-process trigger: many ingest batches in a burst lead to one evaluation `delayMs` after the
 * last, and never two at once (a request during a run schedules one more after it).
 */
export class DebouncedEvaluationTrigger implements EvaluationTrigger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly runner: EvaluationRunner,
    private readonly options: { delayMs: number; logger: Logger },
  ) {}

  requestEvaluation(reason: string): void {
    if (this.stopped) return;
    this.options.logger.debug({ reason }, 'evaluation requested');
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.options.delayMs);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = this.runner
      .evaluate()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'evaluation failed'));
    await this.running;
    this.running = undefined;
    if (this.again && !this.stopped) {
      this.again = false;
      this.requestEvaluation('requested during the previous run');
    }
  }

  /** Cancels a pending run and waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
