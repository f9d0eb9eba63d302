import type { CatalogIndicator, CatalogRegion } from '../domain/observations/ingest-catalog.js';
import type { IngestMode, IngestSource, IngestSummary } from './ingestor.js';
import type { ObservationChunk } from './observation-chunk.js';

/** What a write did to each row: new, a changed value (the old one kept as a revision), or the same value again. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The series a batch touched that have checks to run, column by column. */
export interface WarningSeries {
  indicatorIds: string[];
  regionIds: number[];
  dims: string[];
  /** The batch's first and last observed_at in the series, epoch ms. */
  minMs: number[];
  maxMs: number[];
  decrease: boolean[];
  jump: boolean[];
}

/** A flag found by {@link IngestTransaction.checkWarnings}. Instants in epoch ms. */
export interface WarningRow {
  /** 0-based position of the series in the arrays. */
  series: number;
  code: 'decrease' | 'jump';
  at_ms: number;
  value: number;
  previous_ms: number;
  previous_value: number;
  pace: number | null;
  /** The flagged value was written by this batch (false: the value before it was, a backfill before a stored value). */
  written: boolean;
}

/** A batch recorded under an idempotency key. */
export interface StoredBatch {
  id: number;
  requestHash: string | null;
  response: IngestSummary | null;
}

export interface BatchStart {
  source: IngestSource;
  feed: string | null;
  tokenId: number | null;
  mode: IngestMode;
  idempotencyKey: string | null;
  /** When the request arrived (the transaction may begin later, once the first chunk is ready). */
  startedAt: Date;
}

/** What the ingestor needs from storage; implemented for PostgreSQL and PGlite in `ingest-repository.ts`. */
export interface IngestStore {
  /**
   * True: chunks are written while the records still stream in (PostgreSQL: the batch holds one
   * pooled connection). False: the batch is collected first and written at the end (PGlite: its
   * single connection is not held while a client uploads).
   */
  readonly streamsWrites: boolean;
  /** Rows per chunk handed to {@link IngestTransaction.write}. */
  readonly chunkRows: number;
  /** Changes whenever the stored catalog changes; cheap enough to ask once per batch. */
  catalogVersion(): Promise<number>;
  loadCatalog(): Promise<{ indicators: CatalogIndicator[]; regions: CatalogRegion[]; version: number }>;
  findBatch(idempotencyKey: string): Promise<StoredBatch | undefined>;
  /**
   * Opens the batch's transaction: takes the catalog lock shared (an apply cannot remove what the
   * batch references before it commits) and inserts the batch row, claiming the idempotency key.
   * When a committed batch already holds the key (possibly one that was running concurrently and
   * has just committed), returns it as `taken` instead.
   */
  begin(start: BatchStart): Promise<IngestTransaction | { taken: StoredBatch }>;
}

export interface IngestTransaction {
  readonly batchId: number;
  /** The catalog version seen under the lock: the batch was validated against this one, or must be retried. */
  readonly catalogVersion: number;
  /** Upserts a chunk whose keys are unique within the batch; returns what happened to its rows. */
  write(chunk: ObservationChunk): Promise<WriteCounts>;
  /**
   * After the last write: checks the series the batch touched for data-quality warnings (see
   * `observation-warnings-sql.ts`), brings their stored flags up to date and returns the flags of
   * the values the batch wrote and of the value after each.
   */
  checkWarnings(series: WarningSeries): Promise<WarningRow[]>;
  /**
   * Records the summary (the stored response for replays) and the series written (indicator id → region ids, null
   * when too many to list: the evaluation after the batch then evaluates every target), and commits.
   */
  commit(summary: IngestSummary, requestHash: string | null, series?: Record<string, number[]> | null): Promise<void>;
  /** Rolls back everything, the batch row included. Never throws. */
  rollback(): Promise<void>;
}

/** A recorded batch, as `GET /v1/batches/{id}` shows it. */
export interface BatchView {
  id: number;
  source: string;
  feed: string | null;
  token_id: number | null;
  mode: IngestMode | null;
  status: 'running' | 'committed' | 'failed';
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  started_at: string;
  finished_at: string | null;
  errors: IngestSummary['errors'];
  errors_total: number;
}

/** The audit trail of batches, for reading. */
export interface BatchHistory {
  get(id: number): Promise<BatchView | undefined>;
  /** The most recent batches first. */
  list(filter: { feed?: string; limit: number }): Promise<BatchView[]>;
}
