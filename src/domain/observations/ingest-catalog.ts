import { RegionIndex } from '../regions/region-registry.js';

export type IndicatorKind = 'cumulative' | 'level' | 'ratio' | 'milestone';

/** An indicator as ingestion needs it. */
export interface CatalogIndicator {
  id: string;
  kind: IndicatorKind;
}

/** A region unit as ingestion needs it: what its code means over which span, and its set's time zone. */
export interface CatalogRegion {
  id: number;
  code: string;
  name: string;
  validFrom: Date | null;
  validTo: Date | null;
  timezone: string;
}

/** What a region code means over time, flattened for the per-row check: one map lookup, no Date objects. */
export interface RegionCode {
  timezone: string;
  /** The units the code named, with their validity as epoch milliseconds (±Infinity when open). */
  spans: { id: number; fromMs: number; toMs: number }[];
}

/** The catalog as ingestion sees it: built once per process from the stored catalog, rebuilt after an apply. */
export class IngestCatalog {
  readonly regions: RegionIndex<CatalogRegion>;
  private readonly indicatorIndex = new Map<string, number>();
  private readonly codes = new Map<string, RegionCode>();
  private readonly zones = new Map<number, string>();

  constructor(
    readonly indicators: readonly CatalogIndicator[],
    regions: readonly CatalogRegion[],
    /** Changes whenever the stored catalog changes (the last catalog apply). */
    readonly version: number = 0,
  ) {
    indicators.forEach((indicator, i) => this.indicatorIndex.set(indicator.id, i));
    this.regions = new RegionIndex(regions);
    for (const region of regions) {
      this.zones.set(region.id, region.timezone);
      let code = this.codes.get(region.code);
      if (!code) this.codes.set(region.code, (code = { timezone: region.timezone, spans: [] }));
      code.spans.push({
        id: region.id,
        fromMs: region.validFrom?.getTime() ?? -Infinity,
        toMs: region.validTo?.getTime() ?? Infinity,
      });
    }
    const all = new Set(regions.map((r) => r.timezone));
    this.defaultTimezone = all.size === 1 ? [...all][0]! : 'UTC';
  }

  /** The zone of the only region set, or UTC when there are several: for times not tied to a region. */
  readonly defaultTimezone: string;

  /** Position of the indicator in `indicators`, or -1. */
  indicatorAt(id: string): number {
    return this.indicatorIndex.get(id) ?? -1;
  }

  /** The time zone of the region unit's set (its bare dates are days there); the default for an unknown id. */
  timezoneOf(regionId: number): string {
    return this.zones.get(regionId) ?? this.defaultTimezone;
  }

  /** The code's region set time zone (bare dates for this code are read in it) and units, if the code exists. */
  region(code: string): RegionCode | undefined {
    return this.codes.get(code);
  }
}
