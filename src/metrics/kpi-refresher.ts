import type { EvaluationService } from '../evaluation/evaluation-service.js';
import type { EvaluationStore, RunNotice } from '../evaluation/evaluation-store.js';
import type { LatestEvaluation } from '../evaluation/latest-evaluation.js';
import type { RunNoticeListener } from '../evaluation/run-notice-listener.js';
import type { Logger } from '../logging/logger.js';

/**
 * Keeps the api role's newest evaluation (what /metrics renders and the scorecard serves) on the
 * newest stored run. Evaluations run in worker processes on other machines: each saved run is
 * announced by a PostgreSQL notification, which this loads at once; a run of the changed targets
 * only is loaded as such (its results, and the values of the indicators it names). The poll every
 * `intervalMs` (one indexed query) is the safety net for notices lost with a connection.
 */
export class KpiRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Notices that arrived while a refresh ran, applied in order after it. */
  private readonly pending: RunNotice[] = [];
  private checkAgain = false;

  constructor(
    private readonly deps: {
      store: EvaluationStore;
      evaluation: EvaluationService;
      latest: LatestEvaluation;
      logger: Logger;
      intervalMs: number;
      notices?: RunNoticeListener;
    },
  ) {}

  start(): void {
    void this.refresh();
    this.deps.notices?.start({
      onNotice: (notice) => void this.refresh(notice),
      // Notices sent while not listening are lost: look for a newer run on every (re)connection.
      onListening: () => void this.refresh(),
    });
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.deps.notices?.stop();
    await this.running;
  }

  /** Loads the run `notice` announces, or without one the newest run if it is not the current one. */
  refresh(notice?: RunNotice): Promise<void> {
    if (notice) this.pending.push(notice);
    else this.checkAgain = true;
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const notice = this.pending.shift();
      if (!notice && !this.checkAgain) return;
      if (!notice) this.checkAgain = false;
      try {
        await this.load(notice);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'could not load the newest evaluation; serving the previous one');
      }
    }
  }

  private async load(notice: RunNotice | undefined): Promise<void> {
    const current = this.deps.latest.current();
    if (notice && current?.runId !== null && current?.runId !== undefined && notice.run <= current.runId) return;
    // A run merged into the one shown: only its results and the values of the indicators it names are new.
    if (notice?.indicators && notice.base !== null && current && notice.base === current.runId) {
      const snapshot = await this.deps.evaluation.storedSnapshot(notice.run, {
        base: current,
        indicators: notice.indicators,
        targets: notice.targets,
      });
      if (snapshot) return this.deps.latest.publish(snapshot);
    }
    const newest = await this.deps.store.latestRun();
    if (!newest || newest.id === this.deps.latest.current()?.runId) return;
    const snapshot = await this.deps.evaluation.storedSnapshot(newest.id);
    if (snapshot) this.deps.latest.publish(snapshot);
  }
}
