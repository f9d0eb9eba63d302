import type { Kysely, Selectable } from 'kysely';
import type { BatchHistory, BatchView } from './ingest-store.js';
import type { IngestSummary } from './ingestor.js';
import type { DB, IngestBatchesTable } from '../storage/database-schema.js';

/**
 * {@link BatchHistory} over the ingest_batches table. Batches are written only by the ingest
 * (`ingest-repository.ts`), in the transaction of their observations; this side only reads them.
 */
export class BatchRepository implements BatchHistory {
  constructor(private readonly db: Kysely<DB>) {}

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
