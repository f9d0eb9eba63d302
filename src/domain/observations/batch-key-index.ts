/** What {@link BatchKeyIndex.add} found for a key. */
export const KeySeen = { first: 0, sameValue: 1, otherValue: 2 } as const;
export type KeySeen = (typeof KeySeen)[keyof typeof KeySeen];

/**
 * The natural keys (indicator, region, time, dims) seen so far in one batch, with the first value
 * and line of each, so a key repeated with another value is caught exactly, in O(1), before
 * anything reaches the database. Entries live in typed arrays (about 30 bytes a key, plus the
 * open-addressing table), not in a Map of strings: a million-row batch costs ~40 MB, not ~200.
 */
export class BatchKeyIndex {
  private indicators = new Int32Array(1024);
  private regions = new Int32Array(1024);
  private times = new Float64Array(1024);
  private dims = new Int32Array(1024);
  private values = new Float64Array(1024);
  private lines = new Float64Array(1024);
  private size = 0;
  private slots = new Int32Array(2048); // entry index + 1; 0 = empty
  private mask = 2047;
  private readonly dimsIds = new Map<string, number>([['{}', 0]]);
  /** Line of the earlier occurrence after `add` returned sameValue or otherValue. */
  firstLine = 0;
  /** Value of the earlier occurrence after `add` returned otherValue. */
  firstValue = 0;

  get count(): number {
    return this.size;
  }

  /** Records the key unless seen before; says whether and how it was seen. */
  add(indicator: number, region: number, timeMs: number, dimsJson: string, value: number, line: number): KeySeen {
    let dimsId = this.dimsIds.get(dimsJson);
    if (dimsId === undefined) {
      dimsId = this.dimsIds.size;
      this.dimsIds.set(dimsJson, dimsId);
    }
    let slot = hash(indicator, region, timeMs, dimsId) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const e = entry - 1;
      if (this.times[e] === timeMs && this.regions[e] === region && this.indicators[e] === indicator && this.dims[e] === dimsId) {
        this.firstLine = this.lines[e]!;
        if (this.values[e] === value) return KeySeen.sameValue;
        this.firstValue = this.values[e]!;
        return KeySeen.otherValue;
      }
      slot = (slot + 1) & this.mask;
    }
    const e = this.size++;
    if (e === this.indicators.length) this.growEntries();
    this.indicators[e] = indicator;
    this.regions[e] = region;
    this.times[e] = timeMs;
    this.dims[e] = dimsId;
    this.values[e] = value;
    this.lines[e] = line;
    this.slots[slot] = e + 1;
    // Keep the table at most half full so probe runs stay short.
    if (this.size * 2 > this.mask) this.growSlots();
    return KeySeen.first;
  }

  private growEntries(): void {
    const n = this.indicators.length * 2;
    this.indicators = grown(this.indicators, new Int32Array(n));
    this.regions = grown(this.regions, new Int32Array(n));
    this.times = grown(this.times, new Float64Array(n));
    this.dims = grown(this.dims, new Int32Array(n));
    this.values = grown(this.values, new Float64Array(n));
    this.lines = grown(this.lines, new Float64Array(n));
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = hash(this.indicators[e]!, this.regions[e]!, this.times[e]!, this.dims[e]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function hash(indicator: number, region: number, timeMs: number, dimsId: number): number {
  // Times are epoch milliseconds up to 2^53: hash their low and high 32 bits separately.
  let h = Math.imul(indicator ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ region ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ (timeMs >>> 0) ^ (h >>> 13), 0x27d4eb2f);
  h = Math.imul(h ^ Math.floor(timeMs / 4294967296) ^ (h >>> 16), 0x165667b1);
  h = Math.imul(h ^ dimsId ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}
