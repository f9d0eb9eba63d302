import { hostname } from 'node:os';
import type { RawObservation } from '../domain/observations/observation.js';
import { ForbiddenError, InputError, NotFoundError, PacerError } from '../errors/pacer-error.js';
import type { IngestIssue, IngestSummary, Ingestor } from '../observations/ingestor.js';
import type { Logger } from '../logging/logger.js';
import type { FeedDefinition } from './feed-schema.js';
import type { FeedRunStore, FeedRunTrigger, RowCounts } from './feed-run-store.js';
import type { FeedSourceReader } from './sources/feed-source.js';
import { fileSource } from './sources/file-source.js';
import { httpSource } from './sources/http-source.js';
import { postgresSource } from './sources/postgres-source.js';

export interface FeedRunRequest {
  feedId: string;
  /** The scheduled time this run is for; (feed, slot) is the run's identity. */
  slot: Date;
  trigger: FeedRunTrigger;
  /** Aborted at shutdown when the grace period is over. */
  signal?: AbortSignal;
}

export type FeedRunResult =
  | { outcome: 'succeeded'; runId: number; attempts: number; durationMs: number; counts: RowCounts; batchIds: number[] }
  | {
      outcome: 'failed';
      runId: number;
      attempts: number;
      durationMs: number;
      error: { code: string; message: string; issues: IngestIssue[] };
      retryable: boolean;
    }
  | { outcome: 'duplicate' };

/** Where the runner finds feed definitions (the loaded `jobs/` folder). */
export interface FeedSource {
  get(feedId: string): FeedDefinition | undefined;
}

/**
 * Runs one slot of one feed: claims it in the runs table, reads the source, hands each part to the
 * Ingestor (the same validation and upsert as a push) with the key `feed/<id>/<slot>`, and records
 * the outcome. The same slot delivered twice does nothing the second time; a retry after a crash
 * replays the ingest's stored summary if the first attempt had committed. It never throws for a
 * failed run: it returns whether a retry could help, and the runtime (BullMQ or in-process) retries.
 */
export class FeedRunner {
  private readonly worker: string;

  constructor(
    private readonly deps: {
      feeds: FeedSource;
      store: FeedRunStore;
      ingestor: Ingestor;
      logger: Logger;
      env?: NodeJS.ProcessEnv;
      /** Picks the reader of a source type; tests may add their own. */
      readerOf?: (feed: FeedDefinition) => FeedSourceReader;
    },
  ) {
    this.worker = `${hostname()}:${process.pid}`;
  }

  async run(request: FeedRunRequest): Promise<FeedRunResult> {
    const feed = this.deps.feeds.get(request.feedId);
    if (!feed) throw new NotFoundError(`feed "${request.feedId}" is not defined in jobs/`);
    const claimed = await this.deps.store.claim({
      feedId: feed.id,
      slot: request.slot,
      trigger: request.trigger,
      worker: this.worker,
    });
    const log = this.deps.logger.child({ feed: feed.id, slot: request.slot.toISOString() });
    if (!claimed) {
      await this.deps.store.recordDuplicate(feed.id, request.slot);
      log.info('slot already ran: duplicate delivery ignored');
      return { outcome: 'duplicate' };
    }
    const started = performance.now();
    const timeout = AbortSignal.timeout(feed.timeout);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const counts: RowCounts = { received: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
    const batchIds: number[] = [];
    const key = `feed/${feed.id}/${request.slot.toISOString()}`;
    try {
      const reader = (this.deps.readerOf ?? readerOf)(feed);
      let parts = 0;
      for await (const part of reader({ slot: request.slot, signal, env: this.deps.env ?? process.env })) {
        const partKey = parts++ === 0 ? key : `${key}/${part.name}`;
        const summary: IngestSummary = await this.deps.ingestor.ingest({
          source: 'feed',
          feed: feed.id,
          scope: feed.indicators,
          mode: feed.mode,
          idempotencyKey: partKey,
          // The key alone identifies the content: a retry after a committed attempt replays it even if the source
          // changed since.
          requestHash: partKey,
          records: abortable(part.records, signal),
        });
        for (const k of ['received', 'inserted', 'updated', 'unchanged', 'rejected'] as const) counts[k] += summary[k];
        if (summary.batch_id !== null) batchIds.push(summary.batch_id);
      }
      const durationMs = Math.round(performance.now() - started);
      await this.deps.store.finish(claimed.runId, { status: 'succeeded', durationMs, counts, batchIds });
      log.info({ ...counts, attempt: claimed.attempts, ms: Math.round(durationMs) }, 'feed run succeeded');
      return { outcome: 'succeeded', runId: claimed.runId, attempts: claimed.attempts, durationMs, counts, batchIds };
    } catch (caught) {
      const error =
        signal.aborted && !(caught instanceof PacerError)
          ? new Error(timeout.aborted ? `timed out after ${feed.timeout} ms` : 'stopped by shutdown', { cause: caught })
          : (caught as Error);
      const durationMs = Math.round(performance.now() - started);
      const issues =
        error instanceof InputError
          ? error.issues.map((i) => ({ line: i.line ?? 0, field: i.field ?? '', code: i.code, message: i.message }))
          : [];
      const described = {
        code: (error as { code?: string }).code ?? (timeout.aborted ? 'timeout' : 'run_failed'),
        message: error.message,
        issues,
      };
      // Bad data and bad configuration fail the same way every time; a retry only helps with outages.
      const retryable = !(error instanceof InputError || error instanceof ForbiddenError);
      await this.deps.store
        .finish(claimed.runId, { status: 'failed', durationMs, counts, batchIds, error: described })
        .catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
      log.warn({ err: error, attempt: claimed.attempts, retryable }, 'feed run failed');
      return {
        outcome: 'failed',
        runId: claimed.runId,
        attempts: claimed.attempts,
        durationMs,
        error: described,
        retryable,
      };
    }
  }
}

function readerOf(feed: FeedDefinition): FeedSourceReader {
  const source = feed.source;
  if (source.type === 'http') return httpSource(feed, source);
  if (source.type === 'file') return fileSource(feed, source);
  return postgresSource(feed, source);
}

/** Stops feeding records once the run's signal aborts, so the Ingestor rolls its batch back. */
async function* abortable(records: AsyncIterable<RawObservation>, signal: AbortSignal): AsyncGenerator<RawObservation> {
  for await (const record of records) {
    signal.throwIfAborted();
    yield record;
  }
}
