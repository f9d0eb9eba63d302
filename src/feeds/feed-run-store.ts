import type { FeedRunOutcome } from '../conventions.js';
import type { IngestIssue } from '../observations/ingestor.js';

/** How a run was started: by its schedule, as a catch-up of a missed slot at start, or by hand. */
export type FeedRunTrigger = 'schedule' | 'catchup' | 'manual';
export type FeedRunStatus = 'running' | 'succeeded' | 'failed';

export interface RowCounts {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** One row of the runs table as the API shows it. */
export interface FeedRun extends RowCounts {
  id: number;
  feed_id: string;
  slot: string;
  trigger: FeedRunTrigger;
  status: FeedRunStatus;
  attempts: number;
  duplicates: number;
  worker: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  batch_ids: number[];
  error_code: string | null;
  error: string | null;
  issues: IngestIssue[] | null;
}

/** Per feed, what /metrics and GET /v1/feeds need: last success, last run, totals. */
export interface FeedRunStats {
  feedId: string;
  lastSuccessAt: Date | null;
  lastRunAt: Date | null;
  runs: Record<FeedRunOutcome, number>;
  rows: RowCounts;
  /** Finished runs' durations counted per histogram bucket upper bound (seconds), cumulative; plus sum and count. */
  durations: { buckets: number[]; sum: number; count: number };
}

/** The runs table. Implemented over kysely in `feed-run-repository.ts`. */
export interface FeedRunStore {
  /**
   * Starts (or takes over after a failure or a crash) the run of `feedId` at `slot`. Returns null
   * when that slot already succeeded: the caller has a duplicate delivery.
   */
  claim(run: {
    feedId: string;
    slot: Date;
    trigger: FeedRunTrigger;
    worker: string;
  }): Promise<{ runId: number; attempts: number } | null>;
  /** Counts a duplicate delivery of a slot that already succeeded. */
  recordDuplicate(feedId: string, slot: Date): Promise<void>;
  finish(
    runId: number,
    result: {
      status: 'succeeded' | 'failed';
      durationMs: number;
      counts: RowCounts;
      batchIds: number[];
      error?: { code: string; message: string; issues: IngestIssue[] };
    },
  ): Promise<void>;
  /** The latest runs of a feed, newest first. */
  runs(feedId: string, options: { limit: number; before?: Date }): Promise<FeedRun[]>;
  /** Statistics for every feed that has runs; `durationBuckets` are the histogram's upper bounds in seconds. */
  stats(durationBuckets: readonly number[]): Promise<FeedRunStats[]>;
}
