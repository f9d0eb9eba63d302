import { once } from 'node:events';
import { CompiledQuery, type ControlledTransaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CatalogIndicator, CatalogRegion } from '../domain/observations/ingest-catalog.js';
import type {
  BatchStart,
  IngestStore,
  IngestTransaction,
  StoredBatch,
  WarningRow,
  WarningSeries,
  WriteCounts,
} from './ingest-store.js';
import type { IngestSummary } from './ingestor.js';
import type { ObservationChunk } from './observation-chunk.js';
import type { DB } from '../storage/database-schema.js';
import type { Database } from '../storage/database.js';
import {
  chunkArrays,
  createStagingSql,
  observationCopyColumns,
  observationCopyText,
  probeSql,
  stagingCopyText,
  stagingInput,
  stagingTable,
  unnestInput,
  upsertSql,
} from './observation-upsert-sql.js';
import { warningsSql } from './observation-warnings-sql.js';

/** The lock a catalog apply takes exclusively (catalog-repository.ts); batches take it shared. */
const catalogLockSql = `select pg_advisory_xact_lock_shared(hashtext('pacer:catalog'))`;
/** Below this many rows a chunk travels as arrays; above, by COPY. */
const COPY_MIN_ROWS = 2_000;
/** Rows per statement when a chunk travels as arrays (PGlite holds each statement's arrays in its heap). */
const ARRAY_ROWS = 10_000;
/** Series per statement when checking a batch for data-quality warnings on PostgreSQL. */
const WARNING_SERIES = 50_000;
/** Sampled keys per chunk when deciding whether the chunk may be new data only. */
const PROBE_KEYS = 64;
/**
 * Savepoints per batch for the COPY fast path. Each one that writes is a subtransaction; past 64
 * in one transaction PostgreSQL's snapshots overflow and every other session slows down.
 */
const MAX_FAST_CHUNKS = 48;

/** {@link IngestStore} for PostgreSQL (COPY, a pooled connection per batch) and PGlite (arrays, its one connection). */
export class IngestRepository implements IngestStore {
  readonly streamsWrites: boolean;
  readonly chunkRows: number;

  constructor(private readonly database: Database) {
    this.streamsWrites = database.kind === 'postgres';
    this.chunkRows = database.kind === 'postgres' ? 50_000 : ARRAY_ROWS;
  }

  async catalogVersion(): Promise<number> {
    const row = await this.database.db
      .selectFrom('catalog_applies')
      .select((eb) => eb.fn.max('id').as('version'))
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  async loadCatalog(): Promise<{ indicators: CatalogIndicator[]; regions: CatalogRegion[]; version: number }> {
    const db = this.database.db;
    const version = await this.catalogVersion();
    const indicators = await db.selectFrom('indicators').select(['id', 'kind']).orderBy('id').execute();
    const regions = await db
      .selectFrom('regions as r')
      .innerJoin('region_sets as s', 's.id', 'r.region_set_id')
      .select(['r.id', 'r.code', 'r.name', 'r.valid_from', 'r.valid_to', 's.timezone'])
      .orderBy('r.code')
      .orderBy('r.valid_from')
      .execute();
    return {
      version,
      indicators,
      regions: regions.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        timezone: r.timezone,
      })),
    };
  }

  async findBatch(idempotencyKey: string): Promise<StoredBatch | undefined> {
    const row = await this.database.db
      .selectFrom('ingest_batches')
      .select(['id', 'request_hash', 'response'])
      .where('idempotency_key', '=', idempotencyKey)
      .where('status', '=', 'committed')
      .executeTakeFirst();
    return row
      ? { id: row.id, requestHash: row.request_hash, response: row.response as IngestSummary | null }
      : undefined;
  }

  async begin(start: BatchStart): Promise<IngestTransaction | { taken: StoredBatch }> {
    const session = this.database.pool
      ? await PostgresSession.open(this.database.pool)
      : await PgliteSession.open(this.database);
    try {
      await session.query(catalogLockSql);
      // The session looks rows up by key chunk after chunk; a hash join would scan all of observations for each.
      await session.query('set local enable_hashjoin = off');
      await session.query('set local enable_mergejoin = off');
      const [{ version }] = await session.query<{ version: number }>(
        'select coalesce(max(id), 0)::int as version from catalog_applies',
      );
      let batchId: number;
      try {
        [{ id: batchId }] = await session.query<{ id: number }>(
          `insert into ingest_batches (source, feed, token_id, idempotency_key, mode, status, started_at)
           values ($1, $2, $3, $4, $5, 'running', $6) returning id`,
          [start.source, start.feed, start.tokenId, start.idempotencyKey, start.mode, start.startedAt],
        );
      } catch (error) {
        // Another batch with this key committed while this one was starting: its answer is the answer.
        if ((error as { code?: string }).code !== '23505' || !start.idempotencyKey) throw error;
        await session.finish(false);
        const taken = await this.findBatch(start.idempotencyKey);
        if (!taken) throw error;
        return { taken };
      }
      return new BatchTransaction(session, batchId, version, start.startedAt);
    } catch (error) {
      await session.finish(false, error);
      throw error;
    }
  }
}

/** One database connection in a transaction, whichever engine. */
interface Session {
  /** Whether COPY is available (PostgreSQL). */
  readonly copies: boolean;
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<[R, ...R[]]>;
  copyIn(statement: string, pieces: Iterable<string>): Promise<void>;
  /** Commits or rolls back and hands the connection back; a failed one is discarded. */
  finish(commit: boolean, failure?: unknown): Promise<void>;
}

class PostgresSession implements Session {
  readonly copies = true;
  private finished = false;

  private constructor(private readonly client: pg.PoolClient) {}

  static async open(pool: pg.Pool): Promise<PostgresSession> {
    const client = await pool.connect();
    try {
      await client.query('begin');
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return new PostgresSession(client);
  }

  async query<R>(text: string, params?: readonly unknown[]): Promise<[R, ...R[]]> {
    return (await this.client.query(text, params as unknown[])).rows as [R, ...R[]];
  }

  async copyIn(statement: string, pieces: Iterable<string>): Promise<void> {
    const stream = this.client.query(copyFrom(statement));
    const done = once(stream, 'finish');
    // An error from the server ends the COPY; stop producing and let `done` reject with it.
    let failed = false;
    stream.once('error', () => (failed = true));
    for (const piece of pieces) {
      if (failed) break;
      if (!stream.write(piece)) await Promise.race([once(stream, 'drain'), done]);
    }
    if (!failed) stream.end();
    await done;
  }

  async finish(commit: boolean, failure?: unknown): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (failure) {
      // After an error the connection's state is unknown (a COPY half done, a socket gone): discard it.
      await this.client.query('rollback').catch(() => undefined);
      this.client.release(failure instanceof Error ? failure : new Error(String(failure)));
      return;
    }
    try {
      await this.client.query(commit ? 'commit' : 'rollback');
      this.client.release();
    } catch (error) {
      this.client.release(error as Error);
      throw error;
    }
  }
}

class PgliteSession implements Session {
  readonly copies = false;
  private finished = false;

  private constructor(private readonly trx: ControlledTransaction<DB>) {}

  static async open(database: Database): Promise<PgliteSession> {
    return new PgliteSession(await database.db.startTransaction().execute());
  }

  async query<R>(text: string, params: readonly unknown[] = []): Promise<[R, ...R[]]> {
    return (await this.trx.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows as [R, ...R[]];
  }

  copyIn(): Promise<void> {
    throw new Error('COPY is not available on PGlite');
  }

  async finish(commit: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (commit) await this.trx.commit().execute();
    else
      await this.trx
        .rollback()
        .execute()
        .catch(() => undefined);
  }
}

/**
 * One batch's transaction. Chunks of new data (the common case: this period's values) go by COPY
 * straight into observations, inside a savepoint; chunks that touch stored keys, and the rare new
 * chunk that turns out to collide, go through the staging table and {@link upsertSql}.
 */
class BatchTransaction implements IngestTransaction {
  private staging = false;
  private fastChunks = 0;
  /** Set once a chunk collided with stored keys: the rest of the batch likely does too. */
  private overlaps = false;

  constructor(
    private readonly session: Session,
    readonly batchId: number,
    readonly catalogVersion: number,
    /** The batch's `started_at`: when its values are recorded. */
    private readonly startedAt: Date,
  ) {}

  async write(chunk: ObservationChunk): Promise<WriteCounts> {
    const n = chunk.length;
    if (n === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    if (!this.session.copies || n < COPY_MIN_ROWS) {
      const counts = { inserted: 0, updated: 0, unchanged: 0 };
      for (let from = 0; from < n; from += ARRAY_ROWS) {
        const to = Math.min(n, from + ARRAY_ROWS);
        const [c] = await this.session.query<{ inserted: number; updated: number }>(upsertSql(unnestInput), [
          this.batchId,
          ...chunkArrays(chunk, from, to),
        ]);
        counts.inserted += c.inserted;
        counts.updated += c.updated;
        counts.unchanged += to - from - c.inserted - c.updated;
      }
      return counts;
    }
    if (!this.overlaps && this.fastChunks < MAX_FAST_CHUNKS && !(await this.anyStored(chunk))) {
      this.fastChunks++;
      await this.session.query('savepoint pacer_chunk');
      try {
        await this.session.copyIn(
          `copy observations (${observationCopyColumns}) from stdin`,
          observationCopyText(chunk, this.batchId, this.startedAt),
        );
        await this.session.query('release savepoint pacer_chunk');
        return { inserted: n, updated: 0, unchanged: 0 };
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        await this.session.query('rollback to savepoint pacer_chunk');
        this.overlaps = true;
      }
    }
    if (!this.staging) {
      await this.session.query(createStagingSql);
      this.staging = true;
    }
    await this.session.copyIn(`copy ${stagingTable} from stdin`, stagingCopyText(chunk));
    const [c] = await this.session.query<{ inserted: number; updated: number }>(upsertSql(stagingInput), [
      this.batchId,
    ]);
    await this.session.query(`truncate ${stagingTable}`);
    return { inserted: c.inserted, updated: c.updated, unchanged: n - c.inserted - c.updated };
  }

  async checkWarnings(series: WarningSeries): Promise<WarningRow[]> {
    const n = series.indicatorIds.length;
    if (n === 0) return [];
    const rows: WarningRow[] = [];
    // Lines up the few flags with the stored ones by hash (the batch's own lookups by key turned it off).
    await this.session.query('set local enable_hashjoin = on');
    const group = this.session.copies ? WARNING_SERIES : ARRAY_ROWS;
    for (let from = 0; from < n; from += group) {
      const to = Math.min(n, from + group);
      const found = await this.session.query<WarningRow>(warningsSql, [
        this.batchId,
        series.indicatorIds.slice(from, to),
        series.regionIds.slice(from, to),
        series.dims.slice(from, to),
        series.minMs.slice(from, to),
        series.maxMs.slice(from, to),
        series.decrease.slice(from, to),
        series.jump.slice(from, to),
      ]);
      for (const row of found) rows.push({ ...row, series: row.series + from });
    }
    await this.session.query('set local enable_hashjoin = off');
    return rows;
  }

  /** Whether keys sampled across the chunk are already stored. */
  private async anyStored(chunk: ObservationChunk): Promise<boolean> {
    const step = Math.max(1, Math.floor(chunk.length / PROBE_KEYS));
    const picks: number[] = [];
    for (let i = 0; i < chunk.length; i += step) picks.push(i);
    if (picks.at(-1) !== chunk.length - 1) picks.push(chunk.length - 1);
    const [{ hit }] = await this.session.query<{ hit: boolean }>(probeSql, [
      picks.map((i) => chunk.indicators[i]),
      picks.map((i) => chunk.regionIds[i]),
      picks.map((i) => chunk.times[i]),
      picks.map((i) => chunk.dims[i]),
    ]);
    return hit;
  }

  async commit(
    summary: IngestSummary,
    requestHash: string | null,
    series: Record<string, number[]> | null = null,
  ): Promise<void> {
    try {
      await this.session.query(
        `update ingest_batches set status = 'committed', received = $2, inserted = $3, updated = $4, unchanged = $5,
           rejected = $6, request_hash = $7, response = $8, series = $9, finished_at = clock_timestamp()
         where id = $1`,
        [
          this.batchId,
          summary.received,
          summary.inserted,
          summary.updated,
          summary.unchanged,
          summary.rejected,
          requestHash,
          JSON.stringify(summary),
          series ? JSON.stringify(series) : null,
        ],
      );
    } catch (error) {
      await this.session.finish(false, error);
      throw error;
    }
    await this.session.finish(true);
  }

  async rollback(): Promise<void> {
    await this.session.finish(false).catch(() => undefined);
  }
}
