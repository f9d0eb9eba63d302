import { applyCatalog } from '../../src/catalog/apply-catalog.js';
import { CatalogRepository } from '../../src/catalog/catalog-repository.js';
import type { Database } from '../../src/storage/database.js';

/** Applies the shipped catalog (Directive 05, Viet Nam's regions) to a migrated test database. */
export async function applyShippedCatalog(database: Database): Promise<void> {
  await applyCatalog(new CatalogRepository(database.db), 'catalog');
}
