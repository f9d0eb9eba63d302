import { ConflictError, InputError, formatIssue } from '../errors/pacer-error.js';
import { catalogRows } from './catalog-rows.js';
import { loadCatalog, type LoadedCatalog } from './catalog-loader.js';
import { isEmptyPlan, planCatalog, planCounts, type CatalogPlan } from './catalog-plan.js';
import type { CatalogStore, DataHolders } from './catalog-store.js';

/** Loads a catalog directory and fails with every issue when it is invalid. */
export async function loadValidCatalog(dir: string): Promise<LoadedCatalog> {
  const loaded = await loadCatalog(dir);
  if (loaded.issues.length > 0) {
    const head = loaded.issues.slice(0, 20).map(formatIssue).join('\n');
    throw new InputError(`catalog ${dir} has ${loaded.issues.length} error(s):\n${head}`, loaded.issues, {
      code: 'invalid_catalog',
    });
  }
  return loaded;
}

/** What `catalog plan` shows: the changes an apply would make now. */
export async function planCatalogChanges(
  store: CatalogStore,
  dir: string,
): Promise<{ plan: CatalogPlan; loaded: LoadedCatalog }> {
  const loaded = await loadValidCatalog(dir);
  return { plan: planCatalog(catalogRows(loaded.catalog), await store.read()), loaded };
}

export interface ApplyResult {
  plan: CatalogPlan;
  changed: boolean;
  hash: string;
}

/**
 * Makes the stored catalog match the files, in one transaction. Idempotent: a second apply finds
 * nothing to change and writes nothing. Removing a target, indicator or region that has data is
 * refused unless `prune` is set.
 */
export async function applyCatalog(
  store: CatalogStore,
  dir: string,
  options: { prune?: boolean } = {},
): Promise<ApplyResult> {
  const loaded = await loadValidCatalog(dir);
  const desired = catalogRows(loaded.catalog);
  return store.withLock(async (tx) => {
    const plan = planCatalog(desired, await tx.read());
    if (isEmptyPlan(plan)) return { plan, changed: false, hash: loaded.hash };
    const holders = await tx.dataHeldBy(plan);
    if (!options.prune && hasHolders(holders))
      throw new ConflictError(pruneMessage(holders), { code: 'prune_required' });
    await tx.write(plan, { prune: options.prune ?? false });
    await tx.recordApply(loaded.hash, planCounts(plan));
    return { plan, changed: true, hash: loaded.hash };
  });
}

function hasHolders(h: DataHolders): boolean {
  return h.targets.length + h.indicators.length + h.regions.length > 0;
}

function pruneMessage(h: DataHolders): string {
  const lines = [
    ...h.targets.map(
      (t) =>
        `target ${t.id} (${t.evaluations} evaluations, ${t.observations} observations of its indicator and region)`,
    ),
    ...h.indicators.map((i) => `indicator ${i.id} (${i.observations} observations)`),
    ...h.regions.slice(0, 10).map((r) => `region ${r.key} (${r.observations} observations)`),
  ];
  if (h.regions.length > 10) lines.push(`... and ${h.regions.length - 10} more regions`);
  return `refusing to remove what has data; run apply with --prune to remove it and its data:\n  ${lines.join('\n  ')}`;
}
