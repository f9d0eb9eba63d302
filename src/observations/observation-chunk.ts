import type { ValidObservation } from '../domain/observations/observation-validator.js';

/**
 * Validated observations on their way to the database, column by column: typed arrays for the
 * numbers and shared strings (catalog ids, `{}`) for the rest, so a chunk of 50,000 rows is a few
 * arrays rather than 50,000 objects. The ingestor fills one chunk while the previous one is written.
 */
export class ObservationChunk {
  length = 0;
  readonly indicators: string[];
  readonly regionIds: Int32Array;
  /** observed_at as epoch milliseconds. */
  readonly times: Float64Array;
  readonly dims: string[];
  readonly values: Float64Array;
  readonly notes: (string | null)[];
  readonly lines: Float64Array;

  constructor(readonly capacity: number) {
    this.indicators = new Array<string>(capacity);
    this.regionIds = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.dims = new Array<string>(capacity);
    this.values = new Float64Array(capacity);
    this.notes = new Array<string | null>(capacity);
    this.lines = new Float64Array(capacity);
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  push(o: ValidObservation): void {
    const i = this.length++;
    this.indicators[i] = o.indicatorId;
    this.regionIds[i] = o.regionId;
    this.times[i] = o.observedAtMs;
    this.dims[i] = o.dims;
    this.values[i] = o.value;
    this.notes[i] = o.note;
    this.lines[i] = o.line;
  }

  clear(): void {
    this.length = 0;
  }
}
