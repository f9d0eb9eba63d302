import { IngestCatalog } from '../domain/observations/ingest-catalog.js';
import type { IngestStore } from './ingest-store.js';

/**
 * The indicators and region units, in memory once per process (Viet Nam: 13,471 units), so
 * validating a row never queries the database. Each batch asks the store for the catalog version
 * (one tiny query) and reloads only when an apply, in this process or another, changed it.
 */
export class IngestCatalogCache {
  private cached: IngestCatalog | undefined;
  private loading: Promise<IngestCatalog> | undefined;

  constructor(private readonly store: Pick<IngestStore, 'catalogVersion' | 'loadCatalog'>) {}

  async current(): Promise<IngestCatalog> {
    const version = await this.store.catalogVersion();
    if (this.cached && this.cached.version === version) return this.cached;
    if (!this.loading) {
      this.loading = this.store
        .loadCatalog()
        .then((c) => (this.cached = new IngestCatalog(c.indicators, c.regions, c.version)))
        .finally(() => (this.loading = undefined));
    }
    return this.loading;
  }

  /** Forgets the cached catalog (after an apply in this process). */
  invalidate(): void {
    this.cached = undefined;
  }
}
