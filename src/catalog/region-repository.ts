import { sql, type Kysely } from 'kysely';
import type { RegionStore, StoredRegion, SuccessorMapping } from './region-store.js';
import type { DB } from '../storage/database-schema.js';

/** {@link RegionStore} over the regions, region_successors and region_lineage relations. */
export class RegionRepository implements RegionStore {
  constructor(private readonly db: Kysely<DB>) {}

  async loadAll(): Promise<StoredRegion[]> {
    const rows = await this.db
      .selectFrom('regions as r')
      .innerJoin('region_sets as s', 's.id', 'r.region_set_id')
      .select([
        'r.id',
        'r.region_set_id',
        'r.code',
        'r.name',
        'r.level',
        'r.depth',
        'r.parent_id',
        'r.valid_from',
        'r.valid_to',
        's.timezone',
      ])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      setId: r.region_set_id,
      code: r.code,
      name: r.name,
      level: r.level,
      depth: r.depth,
      parentId: r.parent_id,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      timezone: r.timezone,
    }));
  }

  async successorsAt(at: Date, level?: string): Promise<SuccessorMapping[]> {
    let query = this.db
      .selectFrom('region_lineage as l')
      .innerJoin('regions as p', 'p.id', 'l.region_id')
      .innerJoin('regions as s', 's.id', 'l.successor_id')
      .select([
        'p.id as pid',
        'p.code as pcode',
        'p.name as pname',
        'p.level as plevel',
        's.id as sid',
        's.code as scode',
        's.name as sname',
        's.level as slevel',
        'l.kind',
      ])
      // The predecessor has ended by `at`; the successor is the unit in force at `at`.
      .where('p.valid_to', '<=', at)
      .where((eb) => eb.or([eb('s.valid_from', 'is', null), eb('s.valid_from', '<=', at)]))
      .where((eb) => eb.or([eb('s.valid_to', 'is', null), eb('s.valid_to', '>', at)]))
      .orderBy('p.code')
      .orderBy('s.code');
    if (level) query = query.where('p.level', '=', level);
    const rows = await query.execute();
    return rows.map((r) => ({
      predecessor: { id: r.pid, code: r.pcode, name: r.pname, level: r.plevel },
      successor: { id: r.sid, code: r.scode, name: r.sname, level: r.slevel },
      kind: r.kind,
    }));
  }

  async summary() {
    const rows = await sql<{
      region_set_id: string;
      level: string;
      depth: number;
      valid_from: Date | null;
      valid_to: Date | null;
      units: number;
      with_successor: number;
    }>`
      select r.region_set_id, r.level, r.depth, r.valid_from, r.valid_to, count(*)::int as units,
             count(*) filter (where exists (select 1 from region_successors s where s.predecessor_id = r.id))::int
               as with_successor
      from regions r
      group by 1, 2, 3, 4, 5
      order by 1, 3, 4 nulls first`.execute(this.db);
    return rows.rows.map((r) => ({
      setId: r.region_set_id,
      level: r.level,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      units: r.units,
      withSuccessor: r.with_successor,
    }));
  }
}
