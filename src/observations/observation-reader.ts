import type { Dims } from '../domain/observations/observation.js';

/** Where a page of observations starts: after this key (in primary key order). */
export interface ObservationCursor {
  indicator: string;
  regionId: number;
  /** observed_at in epoch microseconds, exact (timestamptz has microseconds). */
  observedAtMicros: string;
  /** dims as JSON text. */
  dims: string;
}

export interface ObservationFilter {
  indicator?: string;
  /** Units whose observations to return (every unit a region code named). */
  regionIds?: number[];
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  before?: Date;
  /** Inclusive. */
  until?: Date;
  after?: ObservationCursor;
  /** Rows to skip first (to find where a long page ends without reading it). */
  offset?: number;
}

export interface StoredObservation {
  indicator: string;
  region: string;
  observed_at: Date;
  value: number;
  dims: Dims;
  note: string | null;
  batch_id: number | null;
  cursor: ObservationCursor;
}

export interface IndicatorInfo {
  id: string;
  name: string;
  description: string | null;
  unit: string;
  kind: string;
  rollup: string;
  update_interval_seconds: number;
}

/** Read access to the time series for the read API; implemented in `observation-query-repository.ts`. */
export interface ObservationReader {
  /** Up to `size` observations matching `filter`, in primary key order (indicator, region, time, dims). */
  page(filter: ObservationFilter, size: number): Promise<StoredObservation[]>;
  indicators(): Promise<IndicatorInfo[]>;
}
