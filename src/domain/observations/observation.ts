/** Extra dimensions of an observation (e.g. `{ level: "2" }`); part of its natural key. */
export type Dims = Record<string, string>;

/** A problem a format parser found in one record (bad JSON on a line, a short CSV row, an unknown field). */
export interface RecordProblem {
  field: string;
  code: string;
  message: string;
}

/** A record as it arrived (a JSON element, an NDJSON line, a CSV row, a feed's mapped row), not yet validated. */
export interface RawObservation {
  /** 1-based line (NDJSON, CSV with the header as line 1) or element number (JSON array), for error reports. */
  line: number;
  indicator?: unknown;
  region?: unknown;
  /** ISO date or date-time; a bare date means the start of that day in the region's time zone. */
  observed_at?: unknown;
  value?: unknown;
  /** String → string, at most 8 keys. */
  dims?: unknown;
  note?: unknown;
  /** What the format parser already found wrong with this record; the record is rejected. */
  problems?: RecordProblem[];
}

/** One rejected record: where, which field, a stable code and a message for people. */
export interface ObservationIssue {
  line: number;
  field: string;
  code: string;
  message: string;
}
