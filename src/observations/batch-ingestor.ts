import { IndicatorScope } from '../domain/observations/indicator-scope.js';
import { IssueList } from '../domain/observations/issue-list.js';
import { ObservationValidator } from '../domain/observations/observation-validator.js';
import { ConflictError, ForbiddenError, InputError, UnavailableError } from '../errors/pacer-error.js';
import type { EvaluationTrigger } from '../evaluation/evaluation-runner.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { findBatchWarnings } from './batch-warnings.js';
import type { IngestCatalogCache } from './ingest-catalog-cache.js';
import type { IngestStore, IngestTransaction, StoredBatch } from './ingest-store.js';
import type { Ingestor, IngestRequest, IngestSummary, RawObservation } from './ingestor.js';
import { ObservationChunk } from './observation-chunk.js';

export interface BatchIngestorDeps {
  store: IngestStore;
  catalog: IngestCatalogCache;
  metrics?: PipelineMetrics;
  /** Asked for an evaluation after each batch that changed data (wired when the evaluation engine runs). */
  evaluation?: EvaluationTrigger;
  logger?: Logger;
  clock?: () => Date;
}

/**
 * Past this many series a batch is recorded as "too many to list" and the evaluation after it
 * evaluates every target: listing them would cost more than it saves.
 */
const MAX_LISTED_SERIES = 20_000;

/** The distinct series (indicator, region) a batch writes, up to a bound. */
class WrittenSeries {
  private readonly byIndicator = new Map<string, Set<number>>();
  private count = 0;
  private overflow = false;

  constructor(private readonly max: number) {}

  add(indicatorId: string, regionId: number): void {
    if (this.overflow) return;
    let regions = this.byIndicator.get(indicatorId);
    if (!regions) this.byIndicator.set(indicatorId, (regions = new Set()));
    if (regions.has(regionId)) return;
    regions.add(regionId);
    if (++this.count > this.max) {
      this.overflow = true;
      this.byIndicator.clear();
    }
  }

  /** Indicator id → region ids, or null when there were too many to list. */
  list(): Record<string, number[]> | null {
    if (this.overflow) return null;
    return Object.fromEntries([...this.byIndicator].map(([id, regions]) => [id, [...regions]]));
  }
}

/** The batch's idempotency key was claimed by a batch that committed while this one streamed. */
class KeyTaken {
  constructor(readonly stored: StoredBatch) {}
}

/**
 * The {@link Ingestor}: validates records as they stream in (pure domain code, against the
 * catalog held in memory) and writes them in chunks inside one transaction with the batch row,
 * so a crash leaves nothing and a retry with the same idempotency key starts clean. While one
 * chunk is written, the next is parsed: the database and the parser work at the same time.
 */
export class BatchIngestor implements Ingestor {
  private readonly clock: () => Date;

  constructor(private readonly deps: BatchIngestorDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async ingest(request: IngestRequest): Promise<IngestSummary> {
    const started = performance.now();
    const source = request.source;
    try {
      const summary = await this.run(request);
      const m = this.deps.metrics;
      if (m) {
        m.ingestBatches.inc({ source, status: summary.replayed ? 'replayed' : 'committed' });
        if (!summary.replayed) {
          m.ingestBatchDuration.observe({ source }, (performance.now() - started) / 1000);
          for (const outcome of ['inserted', 'updated', 'unchanged', 'rejected'] as const)
            m.ingestRows.inc({ source, outcome }, summary[outcome]);
        }
      }
      if (!summary.replayed) {
        this.deps.logger?.info(
          {
            batch: summary.batch_id,
            source,
            feed: request.feed ?? null,
            received: summary.received,
            inserted: summary.inserted,
            updated: summary.updated,
            unchanged: summary.unchanged,
            rejected: summary.rejected,
            ms: Math.round(performance.now() - started),
          },
          'ingest batch committed',
        );
        if (summary.inserted + summary.updated > 0)
          this.deps.evaluation?.requestEvaluation(`ingest batch ${summary.batch_id}`);
      }
      return summary;
    } catch (error) {
      const rejected = error instanceof InputError || error instanceof ForbiddenError || error instanceof ConflictError;
      this.deps.metrics?.ingestBatches.inc({ source, status: rejected ? 'rejected' : 'failed' });
      if (error instanceof InputError && error.code === 'invalid_batch')
        this.deps.metrics?.ingestRows.inc({ source, outcome: 'rejected' }, error.issuesTotal);
      throw error;
    }
  }

  private async run(request: IngestRequest): Promise<IngestSummary> {
    const records = iterate(request.records);
    const key = request.idempotencyKey ?? null;
    if (key) {
      const stored = await this.deps.store.findBatch(key);
      if (stored) return replay(stored, request, records);
    }
    const startedAt = request.recordedAt ?? this.clock();
    const catalog = await this.deps.catalog.current();
    const issues = new IssueList(100);
    const validator = new ObservationValidator(catalog, issues, {
      now: startedAt,
      scope: request.scope ? new IndicatorScope(request.scope) : undefined,
    });
    const store = this.deps.store;
    const atomic = request.mode === 'atomic';
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    let received = 0;
    let tx: IngestTransaction | undefined;
    let inFlight: Promise<void> | undefined;
    let writeError: unknown;
    // Streaming stores get two chunks (one filling, one writing); the others keep every chunk until the end.
    const held: ObservationChunk[] = [];
    let spare: ObservationChunk | undefined = store.streamsWrites ? new ObservationChunk(store.chunkRows) : undefined;
    let filling = new ObservationChunk(store.chunkRows);
    let discarding = false;
    const written = new WrittenSeries(MAX_LISTED_SERIES);

    const begin = async (): Promise<IngestTransaction> => {
      const opened = await store.begin({
        source: request.source,
        feed: request.feed ?? null,
        tokenId: request.tokenId ?? null,
        mode: request.mode,
        idempotencyKey: key,
        startedAt,
      });
      if ('taken' in opened) throw new KeyTaken(opened.taken);
      if (opened.catalogVersion !== catalog.version) {
        await opened.rollback();
        this.deps.catalog.invalidate();
        throw new UnavailableError('the catalog changed while the batch was validated; send it again', {
          code: 'catalog_changed',
          retryAfterSeconds: 1,
        });
      }
      return opened;
    };
    const settle = async () => {
      await inFlight;
      inFlight = undefined;
      if (writeError) throw writeError;
    };
    const write = async (chunk: ObservationChunk) => {
      tx ??= await begin();
      await settle();
      const t = tx;
      inFlight = t.write(chunk).then(
        (c) => {
          counts.inserted += c.inserted;
          counts.updated += c.updated;
          counts.unchanged += c.unchanged;
        },
        (error: unknown) => {
          writeError = error;
        },
      );
    };
    // A batch that will be refused (atomic with an invalid record, or outside the token's scope)
    // writes nothing more: its transaction is rolled back at once, and the rest is only validated.
    const discard = async () => {
      discarding = true;
      held.length = 0;
      filling.clear();
      if (tx) {
        await inFlight?.catch(() => undefined);
        await tx.rollback();
        tx = undefined;
      }
    };

    try {
      for (let next = await records.next(); !next.done; next = await records.next()) {
        // A body already in memory would keep the parser on the thread until the end; yield now and
        // then so the chunk being written (socket writes, COPY acknowledgements) keeps moving.
        if ((++received & 1023) === 0) await yieldToEventLoop();
        const valid = validator.validate(next.value);
        if (discarding) continue;
        if (!valid) {
          if (atomic || validator.outOfScope.size > 0) await discard();
          continue;
        }
        if (valid.repeat) {
          counts.unchanged++;
          continue;
        }
        filling.push(valid);
        written.add(valid.indicatorId, valid.regionId);
        if (!filling.full) continue;
        if (spare) {
          // write() waits for the previous chunk (spare) to be written before it starts this one.
          await write(filling);
          const written = spare;
          spare = filling;
          filling = written;
          filling.clear();
        } else {
          held.push(filling);
          filling = new ObservationChunk(store.chunkRows);
        }
      }
      const hash = typeof request.requestHash === 'function' ? request.requestHash() : (request.requestHash ?? null);
      if (received === 0) throw new InputError('the body has no records', [], { code: 'empty_body' });
      if (validator.outOfScope.size > 0) {
        const names = [...validator.outOfScope].sort();
        throw new ForbiddenError(
          `this token may not write ${names.length === 1 ? 'indicator' : 'indicators'} ${names.join(', ')} (its ` +
            `scope: ${request.scope?.join(', ')}); nothing was written`,
          { code: 'indicator_out_of_scope' },
        );
      }
      if (atomic && issues.total > 0) {
        throw new InputError(
          `${issues.rejected} of ${received} records are invalid; nothing was written (mode=atomic)`,
          issues.kept,
          { code: 'invalid_batch', issuesTotal: issues.total },
        );
      }
      for (const chunk of held) await write(chunk);
      if (filling.length > 0) await write(filling);
      tx ??= await begin();
      await settle();
      // Only values this batch wrote can raise a warning: an unchanged one was checked when it was written.
      const warnings =
        counts.inserted + counts.updated > 0 ? await findBatchWarnings(tx, validator, catalog) : undefined;
      const summary: IngestSummary = {
        batch_id: tx.batchId,
        received,
        ...counts,
        rejected: issues.rejected,
        errors: issues.kept,
        errors_total: issues.total,
        warnings: warnings?.kept ?? [],
        warnings_total: warnings?.total ?? 0,
      };
      await tx.commit(summary, hash, written.list());
      tx = undefined;
      for (const c of warnings?.counts ?? [])
        this.deps.metrics?.observationWarnings.inc({ indicator: c.indicator, code: c.code }, c.count);
      return summary;
    } catch (error) {
      if (tx) {
        await inFlight?.catch(() => undefined);
        await tx.rollback();
      }
      if (error instanceof KeyTaken) return replay(error.stored, request, records);
      // Close the record source (its finally blocks run), so the caller can tell how the input ended.
      await records.return?.(undefined).catch(() => undefined);
      throw error;
    }
  }
}

/** The stored response of an earlier batch with the same key, if the request is the same; a conflict otherwise. */
async function replay(
  stored: StoredBatch,
  request: IngestRequest,
  records: AsyncIterator<RawObservation>,
): Promise<IngestSummary> {
  // The request's hash is only known once its body has been read.
  for (let next = await records.next(); !next.done; next = await records.next());
  const hash = typeof request.requestHash === 'function' ? request.requestHash() : (request.requestHash ?? null);
  if (stored.requestHash !== hash || !stored.response) {
    throw new ConflictError(
      `Idempotency-Key "${request.idempotencyKey}" was used by batch ${stored.id} for a different request; use a new ` +
        `key for new data`,
      { code: 'idempotency_conflict' },
    );
  }
  // Answers stored before warnings existed have none.
  const before: Partial<IngestSummary> = stored.response;
  return {
    ...stored.response,
    warnings: before.warnings ?? [],
    warnings_total: before.warnings_total ?? 0,
    replayed: true,
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function iterate<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const it = source[Symbol.iterator]();
  return { next: async () => it.next() };
}
