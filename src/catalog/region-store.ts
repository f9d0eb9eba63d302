import type { RegionUnit } from '../domain/regions/region-registry.js';

/** A region unit as stored, with its database id. */
export interface StoredRegion extends Pick<RegionUnit, 'code' | 'name' | 'level' | 'depth' | 'validFrom' | 'validTo'> {
  id: number;
  setId: string;
  parentId: number | null;
  /** The region set's time zone: bare dates for this unit are read in it. */
  timezone: string;
}

/** A unit that ceased, and the unit valid at a later date that (all or part of) its area went into. */
export interface SuccessorMapping {
  predecessor: { id: number; code: string; name: string; level: string };
  successor: { id: number; code: string; name: string; level: string };
  /** `full` only if every step of the chain moved the whole area. */
  kind: 'full' | 'partial';
}

/** Read access to the region registry. */
export interface RegionStore {
  /** Every unit, for an in-memory {@link RegionIndex} (Viet Nam: 13,471 units, a few MB). */
  loadAll(): Promise<StoredRegion[]>;
  /**
   * Maps every unit no longer valid at `at` to the unit(s) valid at `at` it became: with
   * level `province` and 2025-07-01, each of the 63 old provinces to one of the 34 new ones.
   */
  successorsAt(at: Date, level?: string): Promise<SuccessorMapping[]>;
  /** Unit counts by level and validity, for `pacer regions summary` and readiness checks. */
  summary(): Promise<
    {
      setId: string;
      level: string;
      validFrom: Date | null;
      validTo: Date | null;
      units: number;
      withSuccessor: number;
    }[]
  >;
}
