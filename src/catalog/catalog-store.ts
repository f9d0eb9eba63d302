import type { CatalogPlan } from './catalog-plan.js';
import type { CatalogRows } from './catalog-rows.js';

/** Entities a plan would delete that still have data attached, with how much. */
export interface DataHolders {
  targets: { id: string; evaluations: number; observations: number }[];
  indicators: { id: string; observations: number }[];
  regions: { key: string; observations: number }[];
}

/** The last successful apply. */
export interface AppliedCatalog {
  hash: string;
  appliedAt: Date;
}

/** Storage the catalog use cases need; implemented over kysely in `catalog-repository.ts`. */
export interface CatalogStore {
  /** The catalog rows stored now. */
  read(): Promise<CatalogRows>;
  lastApply(): Promise<AppliedCatalog | undefined>;
  /**
   * Runs `work` in one transaction that holds the catalog lock, so applies from several
   * processes (one per role, on many machines) run one after another, each seeing the last.
   */
  withLock<T>(work: (tx: CatalogTransaction) => Promise<T>): Promise<T>;
}

export interface CatalogTransaction {
  read(): Promise<CatalogRows>;
  dataHeldBy(plan: CatalogPlan): Promise<DataHolders>;
  /** Writes the plan; with `prune`, deletes the observations of removed indicators and regions. */
  write(plan: CatalogPlan, options: { prune: boolean }): Promise<void>;
  recordApply(
    hash: string,
    counts: Record<string, { created: number; updated: number; deleted: number }>,
  ): Promise<void>;
}
