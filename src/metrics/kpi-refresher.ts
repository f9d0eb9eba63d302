import type { EvaluationService } from '../evaluation/evaluation-service.js';
import type { EvaluationStore } from '../evaluation/evaluation-store.js';
import type { Logger } from '../logging/logger.js';
import type { KpiExposition } from './kpi-exposition.js';

/**
 * Keeps the api role's KPI exposition on the newest stored evaluation. Evaluations may run in
 * worker processes on other machines, so the api polls for a newer run id (one indexed query)
 * and re-renders only when there is one.
 */
export class KpiRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      store: EvaluationStore;
      evaluation: EvaluationService;
      exposition: KpiExposition;
      logger: Logger;
      intervalMs: number;
    },
  ) {}

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Loads and renders the newest run if the exposition does not show it yet. */
  refresh(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const latest = await this.deps.store.latestRun();
        if (!latest || latest.id === this.deps.exposition.runId) return;
        const snapshot = await this.deps.evaluation.storedSnapshot(latest.id);
        if (snapshot) await this.deps.exposition.update(snapshot);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'could not refresh the KPI exposition; serving the previous one');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
