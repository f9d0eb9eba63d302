import type { EvaluationSnapshot } from './evaluation-service.js';

/**
 * The newest evaluation this process knows: computed here (a process playing the worker role) or
 * loaded from the newest stored run (an api process, told by a notification or its poll). The
 * exporter renders it and the scorecard serves "now" from it; both hear of every new one.
 */
export class LatestEvaluation {
  private snapshot: EvaluationSnapshot | undefined;
  private generation = 0;
  private readonly listeners: ((snapshot: EvaluationSnapshot) => void)[] = [];

  current(): EvaluationSnapshot | undefined {
    return this.snapshot;
  }

  /**
   * Names the current snapshot for cache keys: the stored run id, and a counter that changes with
   * every snapshot (an unsaved one has no run id).
   */
  key(): string {
    return `${this.snapshot?.runId ?? 'none'}.${this.generation}`;
  }

  publish(snapshot: EvaluationSnapshot): void {
    this.snapshot = snapshot;
    this.generation++;
    for (const listener of this.listeners) listener(snapshot);
  }

  /** Calls `listener` with every snapshot published from now on. */
  subscribe(listener: (snapshot: EvaluationSnapshot) => void): void {
    this.listeners.push(listener);
  }
}
