/** What one evaluation of every target produced. */
export interface EvaluationRunSummary {
  /** The stored run, or null when not persisted (`pacer evaluate --at` without `--save`). */
  runId: number | null;
  /** The instant the evaluation answers for: "what did we know then". */
  asOf: Date;
  targets: number;
  /** Targets whose status differs from the previous stored evaluation. */
  statusChanges: number;
  durationMs: number;
}

/** Evaluates every target; the scheduler calls it on its tick and after ingest batches. */
export interface EvaluationRunner {
  evaluate(options?: { asOf?: Date; persist?: boolean }): Promise<EvaluationRunSummary>;
}

/** Asks for an evaluation soon (debounced by the implementation); ingestion calls it after each committed batch. */
export interface EvaluationTrigger {
  requestEvaluation(reason: string): void;
}
