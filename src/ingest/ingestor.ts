/**
 * The one ingestion path. Pushes over HTTP, `pacer push`, scheduled feeds and the demo loader all
 * hand their records to an {@link Ingestor}: the same validation, the same idempotent upsert.
 */

/** A record as it arrived (a JSON element, an NDJSON line, a CSV row, a feed's mapped row), not yet validated. */
export interface RawObservation {
  /** 1-based line (or row) in the source, for error reports. */
  line: number;
  indicator?: unknown;
  region?: unknown;
  /** ISO date or date-time; a bare date means that day in the region's time zone. */
  observed_at?: unknown;
  value?: unknown;
  /** String → string, at most 8 keys. */
  dims?: unknown;
  note?: unknown;
}

/** One rejected record: where, which field, a stable code and a message for people. */
export interface IngestIssue {
  line: number;
  field: string;
  code: string;
  message: string;
}

/**
 * `atomic`: any invalid record rejects the whole batch and nothing is written.
 * `partial`: valid records are written, invalid ones reported.
 */
export type IngestMode = 'atomic' | 'partial';

export interface IngestRequest {
  source: 'push' | 'feed' | 'cli' | 'demo';
  /** The feed (or push token's feed name) the batch belongs to, for the audit trail. */
  feed?: string | null;
  tokenId?: number | null;
  /** Indicator id patterns the caller may write (`vneid_*`); undefined allows all. */
  scope?: string[];
  mode: IngestMode;
  /**
   * A retry with the same key and the same request hash returns the first summary without
   * writing again; the same key with another hash is a conflict. Scheduled feeds use
   * `feed/<id>/<slot>` so a duplicate delivery of one run is a no-op.
   */
  idempotencyKey?: string | null;
  requestHash?: string | null;
  records: AsyncIterable<RawObservation> | Iterable<RawObservation>;
}

/** The response body of an ingest, also what feeds record per run. */
export interface IngestSummary {
  batch_id: number | null;
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first 100 issues. */
  errors: IngestIssue[];
  /** How many issues in all. */
  errors_total: number;
  /** True when this is the stored summary of an earlier request with the same idempotency key. */
  replayed?: boolean;
}

export interface Ingestor {
  /**
   * Validates and writes a batch. In `atomic` mode the batch row and every observation commit
   * in one transaction: a crash leaves nothing half-written. Throws an InputError (code
   * `invalid_batch`, issues attached) when atomic validation fails, a ConflictError
   * (`idempotency_conflict`) for a reused key with a different body, an UnavailableError when
   * the database cannot be reached.
   */
  ingest(request: IngestRequest): Promise<IngestSummary>;
}
