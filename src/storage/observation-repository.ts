import { sql, type Kysely } from 'kysely';
import type { BatchLog, BatchOpening, ObservationRow, ObservationWriter, WriteCounts } from '../ingest/observation-writer.js';
import type { DB } from './database-schema.js';

/**
 * {@link ObservationWriter} with one set-based statement per call: the rows travel as six arrays
 * (six bind parameters whatever the row count, far from PostgreSQL's 65,535 limit), and a single
 * INSERT ... ON CONFLICT decides inserted / updated / unchanged. The `where` on the conflict
 * update is what keeps a re-sent value from writing a new row version (no dead tuples).
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
    const result = await sql<{ inserted: number; updated: number }>`
      with input as (
        select distinct on (indicator_id, region_id, observed_at, dims) *
        from unnest(${indicators}::text[], ${regions}::int[], ${times}::timestamptz[], ${dims}::jsonb[], ${values}::float8[], ${notes}::text[])
          with ordinality as t(indicator_id, region_id, observed_at, dims, value, note, ord)
        order by indicator_id, region_id, observed_at, dims, ord desc
      ),
      revised as (
        insert into observation_revisions (indicator_id, region_id, observed_at, dims, old_value, new_value, old_batch_id, new_batch_id)
        select o.indicator_id, o.region_id, o.observed_at, o.dims, o.value, i.value, o.batch_id, ${batchId}::bigint
        from input i join observations o using (indicator_id, region_id, observed_at, dims)
        where o.value is distinct from i.value
      ),
      written as (
        insert into observations as o (indicator_id, region_id, observed_at, dims, value, note, batch_id)
        select indicator_id, region_id, observed_at, dims, value, note, ${batchId}::bigint from input
        on conflict (indicator_id, region_id, observed_at, dims)
        do update set value = excluded.value, note = excluded.note, batch_id = excluded.batch_id, recorded_at = now()
        where o.value is distinct from excluded.value
        returning (xmax = 0) as inserted
      )
      select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`.execute(this.db);
    const { inserted, updated } = result.rows[0]!;
    // A key repeated in `rows` was written once; its other occurrences count as unchanged.
    return { inserted, updated, unchanged: n - inserted - updated };
  }
}

/** {@link BatchLog} over the ingest_batches table. */
export class BatchRepository implements BatchLog {
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
}
