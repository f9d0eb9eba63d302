import { entityNames, type CatalogRows, type EntityName } from './catalog-rows.js';

export interface RowChange<R> {
  before: R;
  after: R;
  /** Names of the fields that differ. */
  fields: string[];
}

export interface EntityPlan<R> {
  created: R[];
  updated: RowChange<R>[];
  deleted: R[];
}

/** What `catalog apply` would change, per entity. */
export type CatalogPlan = { [E in EntityName]: EntityPlan<CatalogRows[E] extends Map<string, infer R> ? R : never> };

/** Compares the rows the catalog files describe with the rows stored. */
export function planCatalog(desired: CatalogRows, current: CatalogRows): CatalogPlan {
  const plan = {} as Record<EntityName, EntityPlan<object>>;
  for (const name of entityNames) {
    const want = desired[name] as Map<string, object>;
    const have = current[name] as Map<string, object>;
    const entity: EntityPlan<object> = { created: [], updated: [], deleted: [] };
    for (const [key, row] of want) {
      const old = have.get(key);
      if (!old) entity.created.push(row);
      else {
        const fields = changedFields(old, row);
        if (fields.length > 0) entity.updated.push({ before: old, after: row, fields });
      }
    }
    for (const [key, row] of have) if (!want.has(key)) entity.deleted.push(row);
    plan[name] = entity;
  }
  return plan as CatalogPlan;
}

export function isEmptyPlan(plan: CatalogPlan): boolean {
  return entityNames.every((n) => plan[n].created.length + plan[n].updated.length + plan[n].deleted.length === 0);
}

export function planCounts(
  plan: CatalogPlan,
): Record<EntityName, { created: number; updated: number; deleted: number }> {
  return Object.fromEntries(
    entityNames.map((n) => [
      n,
      { created: plan[n].created.length, updated: plan[n].updated.length, deleted: plan[n].deleted.length },
    ]),
  ) as Record<EntityName, { created: number; updated: number; deleted: number }>;
}

function changedFields(a: object, b: object): string[] {
  const out: string[] = [];
  for (const key of Object.keys(b)) {
    if (JSON.stringify((a as Record<string, unknown>)[key]) !== JSON.stringify((b as Record<string, unknown>)[key]))
      out.push(key);
  }
  return out;
}
