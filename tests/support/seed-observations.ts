import { BatchIngestor } from '../../src/observations/batch-ingestor.js';
import { IngestCatalogCache } from '../../src/observations/ingest-catalog-cache.js';
import { IngestRepository } from '../../src/observations/ingest-repository.js';
import type { IngestSummary } from '../../src/observations/ingestor.js';
import type { Database } from '../../src/storage/database.js';

/** One observation as `POST /v1/observations` takes it: a region code, an ISO date or date-time. */
export interface PushRecord {
  indicator: string;
  region: string;
  observed_at: string;
  value: number;
  dims?: Record<string, string>;
  note?: string;
}

/**
 * Writes `records` as one atomic batch through the production ingest (validation, the catalog
 * cache, COPY or arrays into the shared upsert), so tests see the data the way pushes and feeds
 * write it. Throws what the ingestor throws (an InputError when a record is invalid).
 */
export async function seedObservations(
  database: Database,
  records: readonly PushRecord[],
  options: { now?: Date } = {},
): Promise<IngestSummary> {
  const store = new IngestRepository(database);
  const now = options.now;
  const clock = now ? () => now : undefined;
  const ingestor = new BatchIngestor({ store, catalog: new IngestCatalogCache(store), clock });
  return ingestor.ingest({ source: 'cli', mode: 'atomic', records: records.map((r, i) => ({ line: i + 1, ...r })) });
}
