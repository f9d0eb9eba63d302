/** What one evaluation of every target produced. */
export interface EvaluationRunSummary {
  /** The stored run, or null when not persisted (`pacer evaluate --at` without `--save`). */
  runId: number | null;
  /** The instant the evaluation answers for (valid time): the values dated up to it. */
  asOf: Date;
  /** Transaction time, when not now: each value as Pacer had recorded it at this instant. */
  knownAt?: Date;
  targets: number;
  /** Targets evaluated by an evaluation of the changed targets only (the others kept their previous result). */
  evaluated?: number;
  /** Targets whose status differs from the previous stored evaluation. */
  statusChanges: number;
  durationMs: number;
}

/** Evaluates every target on the scheduler's tick, and the targets ingest batches changed after them. */
export interface EvaluationRunner {
  /** `knownAt` limits the evaluation to what was recorded by then. */
  evaluate(options?: { asOf?: Date; knownAt?: Date; persist?: boolean }): Promise<EvaluationRunSummary>;
  /** Evaluates the targets changed since the newest run and saves it merged (every target when it cannot tell). */
  evaluateChanges(): Promise<EvaluationRunSummary>;
}

/** Which targets an evaluation asked for covers: those ingest changed since the newest run, or all. */
export type EvaluationScopeName = 'changes' | 'all';

/** Asks for an evaluation soon (coalesced by the implementation); ingestion calls it after each committed batch. */
export interface EvaluationTrigger {
  requestEvaluation(reason: string, scope?: EvaluationScopeName): void;
}
