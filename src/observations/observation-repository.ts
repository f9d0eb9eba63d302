import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { BatchHistory, BatchView } from './ingest-store.js';
import type { IngestSummary } from './ingestor.js';
import type { BatchLog, BatchOpening, ObservationRow, ObservationWriter, WriteCounts } from './observation-writer.js';
import type { DB, IngestBatchesTable } from '../storage/database-schema.js';
import { upsertSql } from './observation-upsert-sql.js';

/**
 * {@link ObservationWriter} with one set-based statement per call: the rows travel as six arrays
 * (six bind parameters whatever the row count, far from PostgreSQL's 65,535 limit) into the same
 * upsert the ingestor uses ({@link upsertSql}), after collapsing keys repeated within the call.
 */
export class ObservationRepository implements ObservationWriter {
  constructor(private readonly db: Kysely<DB>) {}

  async write(batchId: number, rows: readonly ObservationRow[]): Promise<WriteCounts> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const n = rows.length;
    const indicators = new Array<string>(n);
    const regions = new Array<number>(n);
    const times = new Array<string>(n);
    const dims = new Array<string>(n);
    const values = new Array<number>(n);
    const notes = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      indicators[i] = r.indicatorId;
      regions[i] = r.regionId;
      times[i] = r.observedAt.toISOString();
      dims[i] = JSON.stringify(r.dims);
      values[i] = r.value;
      notes[i] = r.note;
    }
    const result = await this.db.executeQuery<{ inserted: number; updated: number }>(CompiledQuery.raw(upsertSql(lastOfEachKey), [batchId, indicators, regions, times, dims, values, notes]));
    const { inserted, updated } = result.rows[0]!;
    // A key repeated in `rows` was written once; its other occurrences count as unchanged.
    return { inserted, updated, unchanged: n - inserted - updated };
  }
}

/** The rows as arrays ($2..$7), a key repeated within them reduced to its last occurrence. */
const lastOfEachKey = `select distinct on (indicator_id, region_id, observed_at, dims) indicator_id, region_id, observed_at, dims, value, note
  from unnest($2::text[], $3::int[], $4::timestamptz[], $5::jsonb[], $6::float8[], $7::text[]) with ordinality as t(indicator_id, region_id, observed_at, dims, value, note, ord)
  order by indicator_id, region_id, observed_at, dims, ord desc`;

/** {@link BatchLog} and {@link BatchHistory} over the ingest_batches table. */
export class BatchRepository implements BatchLog, BatchHistory {
  constructor(private readonly db: Kysely<DB>) {}

  async open(batch: BatchOpening): Promise<number> {
    const row = await this.db
      .insertInto('ingest_batches')
      .values({ source: batch.source, feed: batch.feed ?? null, token_id: batch.tokenId ?? null, idempotency_key: batch.idempotencyKey ?? null, request_hash: batch.requestHash ?? null, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async close(batchId: number, outcome: Parameters<BatchLog['close']>[1]): Promise<void> {
    await this.db
      .updateTable('ingest_batches')
      .set({ status: outcome.status, received: outcome.received, inserted: outcome.inserted, updated: outcome.updated, unchanged: outcome.unchanged, rejected: outcome.rejected, finished_at: new Date() })
      .where('id', '=', batchId)
      .execute();
  }

  async get(id: number): Promise<BatchView | undefined> {
    const row = await this.db.selectFrom('ingest_batches').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? batchView(row) : undefined;
  }

  async list(filter: { feed?: string; limit: number }): Promise<BatchView[]> {
    let query = this.db.selectFrom('ingest_batches').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.feed) query = query.where('feed', '=', filter.feed);
    return (await query.execute()).map(batchView);
  }
}

function batchView(row: Selectable<IngestBatchesTable>): BatchView {
  const response = row.response as Partial<IngestSummary> | null;
  return {
    id: row.id,
    source: row.source,
    feed: row.feed,
    token_id: row.token_id,
    mode: row.mode,
    status: row.status,
    received: row.received,
    inserted: row.inserted,
    updated: row.updated,
    unchanged: row.unchanged,
    rejected: row.rejected,
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
    errors: response?.errors ?? [],
    errors_total: response?.errors_total ?? 0,
  };
}
