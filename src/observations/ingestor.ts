/**
 * The one ingestion path. Pushes over HTTP, `pacer push`, scheduled feeds and the demo loader all
 * hand their records to an {@link Ingestor}: the same validation, the same idempotent upsert.
 */
import type { ObservationIssue, RawObservation } from '../domain/observations/observation.js';
import type { ObservationWarning } from '../domain/observations/observation-warnings.js';

export type { RawObservation, RecordProblem } from '../domain/observations/observation.js';
export type { ObservationWarning } from '../domain/observations/observation-warnings.js';

/** One rejected record: where, which field, a stable code and a message for people. */
export type IngestIssue = ObservationIssue;

/**
 * `atomic`: any invalid record rejects the whole batch and nothing is written.
 * `partial`: valid records are written, invalid ones reported.
 */
export type IngestMode = 'atomic' | 'partial';
export const ingestModes = ['atomic', 'partial'] as const;

export type IngestSource = 'push' | 'feed' | 'cli' | 'demo';

export interface IngestRequest {
  source: IngestSource;
  /** The feed (or push token's feed name) the batch belongs to, for the audit trail. */
  feed?: string | null;
  tokenId?: number | null;
  /** Indicator id patterns the caller may write (`vneid_*`); undefined allows all. */
  scope?: readonly string[];
  mode: IngestMode;
  /**
   * A retry with the same key and the same request hash returns the first summary without
   * writing again; the same key with another hash is a conflict. Scheduled feeds use
   * `feed/<id>/<slot>` so a duplicate delivery of one run is a no-op.
   */
  idempotencyKey?: string | null;
  /**
   * What identifies the request's content, compared on replay. A string when known up front (a
   * feed's fetched file); a function when it is only known once the records are consumed (HTTP
   * hashes the body as it streams): it is called after the last record.
   */
  requestHash?: string | null | (() => string);
  records: AsyncIterable<RawObservation> | Iterable<RawObservation>;
  /**
   * When Pacer is to have recorded these values (transaction time), for a load of history whose
   * dates are known: the shipped demo figures, each as of the day it was published. Default: now.
   * Never taken from a request: a push is recorded when it arrives.
   */
  recordedAt?: Date;
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
  /**
   * The first 100 data-quality warnings: values written as usual but flagged (a cumulative
   * indicator going down, a jump far above the series' pace), on the records' lines.
   */
  warnings: ObservationWarning[];
  /** How many warnings in all. */
  warnings_total: number;
  /** True when this is the stored summary of an earlier request with the same idempotency key. */
  replayed?: boolean;
}

export interface Ingestor {
  /**
   * Validates and writes a batch. The batch row and every observation commit in one
   * transaction: a crash leaves nothing half-written. Throws an InputError (code `invalid_batch`,
   * issues attached) when atomic validation fails or `empty_body` when there are no records, a
   * ForbiddenError (`indicator_out_of_scope`) when a record is outside the scope, a ConflictError
   * (`idempotency_conflict`) for a reused key with a different body, an UnavailableError when the
   * database cannot be reached.
   */
  ingest(request: IngestRequest): Promise<IngestSummary>;
}
