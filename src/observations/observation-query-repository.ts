import { sql, type Kysely } from 'kysely';
import type { IndicatorInfo, ObservationFilter, ObservationReader, StoredObservation } from './observation-reader.js';
import type { DB } from '../storage/database-schema.js';

/** {@link ObservationReader}: keyset pages over the observations primary key. */
export class ObservationQueryRepository implements ObservationReader {
  constructor(private readonly db: Kysely<DB>) {}

  async page(filter: ObservationFilter, size: number): Promise<StoredObservation[]> {
    let query = this.db
      .selectFrom('observations as o')
      .innerJoin('regions as r', 'r.id', 'o.region_id')
      .select([
        'o.indicator_id',
        'o.region_id',
        'r.code',
        'o.observed_at',
        sql<string>`(extract(epoch from o.observed_at) * 1000000)::bigint::text`.as('micros'),
        'o.dims',
        sql<string>`o.dims::text`.as('dims_text'),
        'o.value',
        'o.note',
        'o.batch_id',
      ])
      .orderBy('o.indicator_id')
      .orderBy('o.region_id')
      .orderBy('o.observed_at')
      .orderBy('o.dims')
      .limit(size);
    if (filter.indicator !== undefined) query = query.where('o.indicator_id', '=', filter.indicator);
    if (filter.regionIds !== undefined)
      query = query.where('o.region_id', '=', sql<number>`any(${filter.regionIds}::int[])`);
    if (filter.from) query = query.where('o.observed_at', '>=', filter.from);
    if (filter.before) query = query.where('o.observed_at', '<', filter.before);
    if (filter.until) query = query.where('o.observed_at', '<=', filter.until);
    if (filter.offset) query = query.offset(filter.offset);
    const a = filter.after;
    if (a) {
      query = query.where(
        sql<boolean>`(o.indicator_id, o.region_id, o.observed_at, o.dims) > (${a.indicator}, ${a.regionId}::int,
          'epoch'::timestamptz + ${a.observedAtMicros}::bigint * interval '1 microsecond', ${a.dims}::jsonb)`,
      );
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      indicator: r.indicator_id,
      region: r.code,
      observed_at: r.observed_at,
      value: r.value,
      dims: r.dims,
      note: r.note,
      batch_id: r.batch_id,
      cursor: { indicator: r.indicator_id, regionId: r.region_id, observedAtMicros: r.micros, dims: r.dims_text },
    }));
  }

  async indicators(): Promise<IndicatorInfo[]> {
    return this.db
      .selectFrom('indicators')
      .select(['id', 'name', 'description', 'unit', 'kind', 'rollup', 'update_interval_seconds'])
      .orderBy('id')
      .execute();
  }
}
