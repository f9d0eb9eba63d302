import { sql, type Kysely } from 'kysely';
import { observationsKnownAt } from '../observations/observations-known-at-sql.js';
import type { DB } from '../storage/database-schema.js';
import type { ReportStore, StoredCurrentObservation } from './report-service.js';

/** {@link ReportStore} over the targets, regions, observations and ingest_batches tables. */
export class ReportRepository implements ReportStore {
  constructor(private readonly db: Kysely<DB>) {}

  async currentObservations(
    keys: readonly { target: string; observedAt: string | null }[],
    knownAt?: Date,
  ): Promise<StoredCurrentObservation[]> {
    if (keys.length === 0) return [];
    // One query for every target, whatever their number: the keys go in as two parallel arrays.
    const result = await sql<{
      target: string;
      region_name: string;
      value: number | null;
      note: string | null;
      batch_id: string | number | null;
      found: boolean;
      batch_source: string | null;
      feed: string | null;
    }>`
      select t.id as target, r.name as region_name, o.value, o.note, o.batch_id, o.indicator_id is not null as found,
             b.source as batch_source, b.feed
      from unnest(${keys.map((k) => k.target)}::text[], ${keys.map((k) => k.observedAt)}::text[]) as k(target_id, at)
      join targets t on t.id = k.target_id
      join regions r on r.id = t.region_id
      left join ${observationsKnownAt(knownAt, 'o')}
        on o.indicator_id = t.indicator_id and o.region_id = t.region_id
       and o.observed_at = k.at::timestamptz and o.dims = '{}'::jsonb
      left join ingest_batches b on b.id = o.batch_id
    `.execute(this.db);
    return result.rows.map((r) => ({
      target: r.target,
      regionName: r.region_name,
      observation: r.found
        ? { value: Number(r.value), note: r.note, batchId: r.batch_id === null ? null : Number(r.batch_id) }
        : null,
      batch: r.batch_source === null ? null : { source: r.batch_source, feed: r.feed },
    }));
  }
}
