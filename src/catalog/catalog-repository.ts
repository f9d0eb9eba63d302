import {
  directiveTextFields,
  indicatorTextFields,
  storedTranslations,
  targetTextFields,
} from '../domain/catalog/catalog-text.js';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CatalogPlan } from './catalog-plan.js';
import { successorKey, type CatalogRows, type RegionRow, type TargetRow } from './catalog-rows.js';
import { readEventRows, writeEventPlan } from './catalog-event-rows.js';
import type { AppliedCatalog, CatalogStore, CatalogTransaction, DataHolders } from './catalog-store.js';
import { regionKey } from '../domain/regions/region-registry.js';
import type { DB } from '../storage/database-schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** {@link CatalogStore} on PostgreSQL or PGlite through kysely, with set-based bulk writes. */
export class CatalogRepository implements CatalogStore {
  constructor(private readonly db: Kysely<DB>) {}

  /** The zone bare dates and schedules are read in: the directives' (the first, by id), else UTC. */
  async defaultTimeZone(): Promise<string> {
    const row = await this.db.selectFrom('directives').select('timezone').orderBy('id').limit(1).executeTakeFirst();
    return row?.timezone ?? 'UTC';
  }

  /** The ids of the stored indicators, sorted: one small query. */
  async indicatorIds(): Promise<string[]> {
    return (await this.db.selectFrom('indicators').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  read(): Promise<CatalogRows> {
    return readRows(this.db);
  }

  async lastApply(): Promise<AppliedCatalog | undefined> {
    const row = await this.db
      .selectFrom('catalog_applies')
      .select(['catalog_hash', 'applied_at'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { hash: row.catalog_hash, appliedAt: row.applied_at } : undefined;
  }

  withLock<T>(work: (tx: CatalogTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('pacer:catalog'))`.execute(trx);
      return work({
        read: () => readRows(trx),
        dataHeldBy: (plan) => dataHeldBy(trx, plan),
        write: (plan, options) => writePlan(trx, plan, options),
        recordApply: async (hash, counts) => {
          await trx
            .insertInto('catalog_applies')
            .values({ catalog_hash: hash, changes: JSON.stringify(counts) })
            .execute();
        },
      });
    });
  }
}

async function readRows(db: Executor): Promise<CatalogRows> {
  const regionRecords = await db
    .selectFrom('regions')
    .select(['id', 'region_set_id', 'code', 'name', 'level', 'depth', 'parent_id', 'valid_from', 'valid_to'])
    .execute();
  const keyById = new Map(regionRecords.map((r) => [r.id, regionKey(r.code, r.valid_from)]));
  const regions = new Map<string, RegionRow>();
  for (const r of regionRecords) {
    const key = keyById.get(r.id)!;
    regions.set(key, {
      key,
      setId: r.region_set_id,
      code: r.code,
      name: r.name,
      level: r.level,
      depth: r.depth,
      parentKey: r.parent_id === null ? null : (keyById.get(r.parent_id) ?? null),
      validFrom: iso(r.valid_from),
      validTo: iso(r.valid_to),
    });
  }

  const successors = new Map();
  for (const s of await db.selectFrom('region_successors').selectAll().execute()) {
    const fromKey = keyById.get(s.predecessor_id)!;
    const toKey = keyById.get(s.successor_id)!;
    const key = successorKey(fromKey, toKey);
    successors.set(key, { key, fromKey, toKey, kind: s.kind, effective: s.effective_at.toISOString() });
  }

  const milestones = new Map<string, TargetRow['milestones']>();
  for (const m of await db
    .selectFrom('target_milestones')
    .selectAll()
    .orderBy('target_id')
    .orderBy('deadline')
    .execute()) {
    const list = milestones.get(m.target_id) ?? [];
    list.push({ dueDate: m.due_date, deadline: m.deadline.toISOString(), value: m.value });
    milestones.set(m.target_id, list);
  }

  const targets = new Map<string, TargetRow>();
  for (const t of await db.selectFrom('targets').selectAll().execute()) {
    targets.set(t.id, {
      id: t.id,
      directiveId: t.directive_id,
      indicatorId: t.indicator_id,
      regionKey: keyById.get(t.region_id)!,
      regionCode: t.region_code,
      title: t.title,
      owner: t.owner,
      source: t.source,
      baselineValue: t.baseline_value,
      baselineDate: t.baseline_date,
      baselineAt: t.baseline_at.toISOString(),
      baselineSource: t.baseline_source,
      targetValue: t.target_value,
      dueText: t.due_text,
      dueDate: t.due_date,
      deadline: t.deadline.toISOString(),
      direction: t.direction,
      tolerance: t.tolerance,
      minCoverage: t.min_coverage,
      unlikelyBelow: t.unlikely_below,
      note: t.note,
      milestones: milestones.get(t.id) ?? [],
      translations: storedTranslations(targetTextFields, t.translations),
    });
  }

  return {
    regionSets: new Map(
      (await db.selectFrom('region_sets').selectAll().execute()).map((s) => [
        s.id,
        { id: s.id, name: s.name, timezone: s.timezone, levels: s.levels },
      ]),
    ),
    regions,
    successors,
    indicators: new Map(
      (await db.selectFrom('indicators').selectAll().execute()).map((i) => [
        i.id,
        {
          id: i.id,
          name: i.name,
          description: i.description,
          unit: i.unit,
          kind: i.kind,
          rollup: i.rollup,
          updateIntervalSeconds: i.update_interval_seconds,
          monotone: i.monotone,
          translations: storedTranslations(indicatorTextFields, i.translations),
        },
      ]),
    ),
    directives: new Map(
      (await db.selectFrom('directives').selectAll().execute()).map((d) => [
        d.id,
        {
          id: d.id,
          title: d.title,
          issuer: d.issuer,
          issued: d.issued,
          timezone: d.timezone,
          url: d.url,
          description: d.description,
          translations: storedTranslations(directiveTextFields, d.translations),
        },
      ]),
    ),
    targets,
    events: await readEventRows(db),
  };
}

async function regionIds(db: Executor): Promise<Map<string, number>> {
  const rows = await db.selectFrom('regions').select(['id', 'code', 'valid_from']).execute();
  return new Map(rows.map((r) => [regionKey(r.code, r.valid_from), r.id]));
}

async function dataHeldBy(db: Executor, plan: CatalogPlan): Promise<DataHolders> {
  const ids = await regionIds(db);
  const targets: DataHolders['targets'] = [];
  for (const t of plan.targets.deleted) {
    const evaluations = await db
      .selectFrom('evaluations')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('target_id', '=', t.id)
      .executeTakeFirstOrThrow();
    const observations = await db
      .selectFrom('observations')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('indicator_id', '=', t.indicatorId)
      .where('region_id', '=', ids.get(t.regionKey) ?? -1)
      .executeTakeFirstOrThrow();
    if (evaluations.n + observations.n > 0)
      targets.push({ id: t.id, evaluations: evaluations.n, observations: observations.n });
  }
  const indicators: DataHolders['indicators'] = [];
  const deletedIndicators = plan.indicators.deleted.map((i) => i.id);
  if (deletedIndicators.length > 0) {
    const rows = await db
      .selectFrom('observations')
      .select(['indicator_id', sql<number>`count(*)::int`.as('n')])
      .where('indicator_id', 'in', deletedIndicators)
      .groupBy('indicator_id')
      .execute();
    for (const r of rows) indicators.push({ id: r.indicator_id, observations: r.n });
  }
  const regions: DataHolders['regions'] = [];
  const deletedRegionIds = plan.regions.deleted
    .map((r) => ids.get(r.key))
    .filter((id): id is number => id !== undefined);
  if (deletedRegionIds.length > 0) {
    const keyById = new Map([...ids].map(([k, v]) => [v, k]));
    const rows = await db
      .selectFrom('observations')
      .select(['region_id', sql<number>`count(*)::int`.as('n')])
      .where('region_id', 'in', deletedRegionIds)
      .groupBy('region_id')
      .execute();
    for (const r of rows) regions.push({ key: keyById.get(r.region_id)!, observations: r.n });
  }
  return { targets, indicators, regions };
}

async function writePlan(db: Transaction<DB>, plan: CatalogPlan, options: { prune: boolean }): Promise<void> {
  for (const s of [...plan.regionSets.created, ...plan.regionSets.updated.map((u) => u.after)]) {
    await db
      .insertInto('region_sets')
      .values(s)
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: s.name, timezone: s.timezone, levels: s.levels }))
      .execute();
  }

  // Targets go first: they reference regions, indicators and directives that may be deleted below.
  const deletedTargets = plan.targets.deleted.map((t) => t.id);
  if (deletedTargets.length > 0) await db.deleteFrom('targets').where('id', 'in', deletedTargets).execute();

  let ids = await regionIds(db);
  const deletedSuccessors = plan.successors.deleted;
  if (deletedSuccessors.length > 0) {
    await sql`delete from region_successors s
              using unnest(${deletedSuccessors.map((r) => ids.get(r.fromKey))}::int[],
                           ${deletedSuccessors.map((r) => ids.get(r.toKey))}::int[]) d(p, s2)
              where s.predecessor_id = d.p and s.successor_id = d.s2`.execute(db);
  }

  const created = plan.regions.created;
  if (created.length > 0) {
    await sql`insert into regions (region_set_id, code, name, level, depth, valid_from, valid_to)
              select * from unnest(${created.map((r) => r.setId)}::text[], ${created.map((r) => r.code)}::text[],
                                   ${created.map((r) => r.name)}::text[], ${created.map((r) => r.level)}::text[],
                                   ${created.map((r) => r.depth)}::int[],
                                   ${created.map((r) => r.validFrom)}::timestamptz[],
                                   ${created.map((r) => r.validTo)}::timestamptz[])`.execute(db);
  }
  const updated = plan.regions.updated.map((u) => u.after);
  if (updated.length > 0) {
    await sql`update regions r
              set region_set_id = u.set_id, name = u.name, level = u.level, depth = u.depth, valid_to = u.valid_to
              from unnest(${updated.map((r) => ids.get(r.key))}::int[], ${updated.map((r) => r.setId)}::text[],
                          ${updated.map((r) => r.name)}::text[], ${updated.map((r) => r.level)}::text[],
                          ${updated.map((r) => r.depth)}::int[], ${updated.map((r) => r.validTo)}::timestamptz[])
                   u(id, set_id, name, level, depth, valid_to)
              where r.id = u.id`.execute(db);
  }
  if (created.length > 0) ids = await regionIds(db);
  const reparent = [
    ...created,
    ...plan.regions.updated.filter((u) => u.fields.includes('parentKey')).map((u) => u.after),
  ];
  if (reparent.length > 0) {
    await sql`update regions r set parent_id = u.parent_id
              from unnest(${reparent.map((r) => ids.get(r.key))}::int[],
                          ${reparent.map((r) => (r.parentKey ? ids.get(r.parentKey) : null))}::int[]) u(id, parent_id)
              where r.id = u.id`.execute(db);
  }

  const successors = [...plan.successors.created, ...plan.successors.updated.map((u) => u.after)];
  if (successors.length > 0) {
    await sql`insert into region_successors (predecessor_id, successor_id, kind, effective_at)
              select * from unnest(${successors.map((s) => ids.get(s.fromKey))}::int[],
                                   ${successors.map((s) => ids.get(s.toKey))}::int[],
                                   ${successors.map((s) => s.kind)}::text[],
                                   ${successors.map((s) => s.effective)}::timestamptz[])
              on conflict (predecessor_id, successor_id)
              do update set kind = excluded.kind, effective_at = excluded.effective_at`.execute(db);
  }

  for (const i of [...plan.indicators.created, ...plan.indicators.updated.map((u) => u.after)]) {
    const row = {
      id: i.id,
      name: i.name,
      description: i.description,
      unit: i.unit,
      kind: i.kind as DB['indicators']['kind'],
      rollup: i.rollup as DB['indicators']['rollup'],
      update_interval_seconds: i.updateIntervalSeconds,
      monotone: i.monotone as DB['indicators']['monotone'],
      translations: JSON.stringify(i.translations),
    };
    await db
      .insertInto('indicators')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }
  for (const d of [...plan.directives.created, ...plan.directives.updated.map((u) => u.after)]) {
    const row = { ...d, translations: JSON.stringify(d.translations) };
    await db
      .insertInto('directives')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  for (const t of [...plan.targets.created, ...plan.targets.updated.map((u) => u.after)]) {
    const row = {
      id: t.id,
      directive_id: t.directiveId,
      indicator_id: t.indicatorId,
      region_id: ids.get(t.regionKey)!,
      region_code: t.regionCode,
      title: t.title,
      owner: t.owner,
      source: t.source,
      baseline_value: t.baselineValue,
      baseline_date: t.baselineDate,
      baseline_at: t.baselineAt,
      baseline_source: t.baselineSource,
      target_value: t.targetValue,
      due_text: t.dueText,
      due_date: t.dueDate,
      deadline: t.deadline,
      direction: t.direction as 'at_least' | 'at_most',
      tolerance: t.tolerance,
      min_coverage: t.minCoverage,
      unlikely_below: t.unlikelyBelow,
      note: t.note,
      translations: JSON.stringify(t.translations),
    };
    await db
      .insertInto('targets')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
    await db.deleteFrom('target_milestones').where('target_id', '=', t.id).execute();
    if (t.milestones.length > 0) {
      await db
        .insertInto('target_milestones')
        .values(
          t.milestones.map((m) => ({ target_id: t.id, due_date: m.dueDate, deadline: m.deadline, value: m.value })),
        )
        .execute();
    }
  }

  await writeEventPlan(db, plan.events);

  const deletedIndicators = plan.indicators.deleted.map((i) => i.id);
  if (deletedIndicators.length > 0) {
    if (options.prune) await db.deleteFrom('observations').where('indicator_id', 'in', deletedIndicators).execute();
    // Flags have no foreign key to their observations (see migration 0008): they go with them.
    if (options.prune)
      await db.deleteFrom('observation_warnings').where('indicator_id', 'in', deletedIndicators).execute();
    await db.deleteFrom('indicators').where('id', 'in', deletedIndicators).execute();
  }
  const deletedDirectives = plan.directives.deleted.map((d) => d.id);
  if (deletedDirectives.length > 0) await db.deleteFrom('directives').where('id', 'in', deletedDirectives).execute();

  const deletedRegions = plan.regions.deleted.map((r) => ids.get(r.key)).filter((id): id is number => id !== undefined);
  if (deletedRegions.length > 0) {
    if (options.prune) await sql`delete from observations where region_id = any(${deletedRegions}::int[])`.execute(db);
    if (options.prune)
      await sql`delete from observation_warnings where region_id = any(${deletedRegions}::int[])`.execute(db);
    await sql`update regions set parent_id = null where id = any(${deletedRegions}::int[])`.execute(db);
    await sql`delete from regions where id = any(${deletedRegions}::int[])`.execute(db);
  }
  const deletedSets = plan.regionSets.deleted.map((s) => s.id);
  if (deletedSets.length > 0) await db.deleteFrom('region_sets').where('id', 'in', deletedSets).execute();
}
