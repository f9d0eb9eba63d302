import type { Dims } from '../domain/observations/observation.js';

/** One validated observation, its region already resolved to the unit valid on its date. */
export interface ObservationRow {
  indicatorId: string;
  regionId: number;
  observedAt: Date;
  dims: Dims;
  value: number;
  note: string | null;
}

/** What a write did to each row: new, a changed value (the old one kept as a revision), or the same value again. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Writes observations idempotently by natural key (indicator, region, observed_at, dims). */
export interface ObservationWriter {
  /**
   * Upserts `rows` as part of batch `batchId` in one statement: a new key is inserted; a changed
   * value replaces the stored one and the old value goes to the revisions table; the same value
   * is left untouched (no new row version). A key repeated within `rows` counts once, last wins.
   */
  write(batchId: number, rows: readonly ObservationRow[]): Promise<WriteCounts>;
}

export interface BatchOpening {
  source: 'push' | 'feed' | 'demo' | 'cli';
  feed?: string | null;
  tokenId?: number | null;
  idempotencyKey?: string | null;
  requestHash?: string | null;
}

/** The audit trail of ingest batches: every accepted batch has a row with its counts. */
export interface BatchLog {
  open(batch: BatchOpening): Promise<number>;
  close(batchId: number, outcome: { status: 'committed' | 'failed'; received: number; rejected: number } & WriteCounts): Promise<void>;
}
