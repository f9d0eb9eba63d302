/** What {@link BatchKeyIndex.add} found for a key. */
export const KeySeen = { first: 0, sameValue: 1, otherValue: 2 } as const;
export type KeySeen = (typeof KeySeen)[keyof typeof KeySeen];

/** The series of a batch, column by column: indicator position, region id, dims JSON, first and last time. */
export interface BatchSeries {
  indicators: number[];
  regions: number[];
  dims: string[];
  minMs: number[];
  maxMs: number[];
}

/** Keys per storage block: blocks are added as the batch grows, never copied. */
const BLOCK_BITS = 16;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const IN_BLOCK = BLOCK_SIZE - 1;

interface Block {
  indicators: Uint16Array;
  regions: Int32Array;
  times: Float64Array;
  dims: Int32Array;
  values: Float64Array;
  lines: Int32Array;
}

/**
 * The natural keys (indicator, region, time, dims) seen so far in one batch, with the first value
 * and line of each, so a key repeated with another value is caught exactly, in O(1), before
 * anything reaches the database. Keys live in typed arrays (30 bytes a key, in blocks that are
 * never copied, plus an open-addressing table of 4 to 8 bytes a key), not in a Map of strings: a
 * million-row batch costs ~40 MB, not ~200.
 */
export class BatchKeyIndex {
  private readonly blocks: Block[] = [];
  private size = 0;
  private slots = new Int32Array(2048); // key number + 1; 0 = empty
  private mask = 2047;
  private readonly dimsIds = new Map<string, number>([['{}', 0]]);
  /** Line of the earlier occurrence after `add` returned sameValue or otherValue. */
  firstLine = 0;
  /** Value of the earlier occurrence after `add` returned otherValue. */
  firstValue = 0;

  get count(): number {
    return this.size;
  }

  /** Records the key unless seen before; says whether and how it was seen. `indicator` is below 65,536. */
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
      const b = this.blocks[(entry - 1) >>> BLOCK_BITS]!;
      const o = (entry - 1) & IN_BLOCK;
      if (b.times[o] === timeMs && b.regions[o] === region && b.indicators[o] === indicator && b.dims[o] === dimsId) {
        this.firstLine = b.lines[o]!;
        if (b.values[o] === value) return KeySeen.sameValue;
        this.firstValue = b.values[o]!;
        return KeySeen.otherValue;
      }
      slot = (slot + 1) & this.mask;
    }
    const e = this.size++;
    const o = e & IN_BLOCK;
    if (o === 0)
      this.blocks.push({
        indicators: new Uint16Array(BLOCK_SIZE),
        regions: new Int32Array(BLOCK_SIZE),
        times: new Float64Array(BLOCK_SIZE),
        dims: new Int32Array(BLOCK_SIZE),
        values: new Float64Array(BLOCK_SIZE),
        lines: new Int32Array(BLOCK_SIZE),
      });
    const b = this.blocks[e >>> BLOCK_BITS]!;
    b.indicators[o] = indicator;
    b.regions[o] = region;
    b.times[o] = timeMs;
    b.dims[o] = dimsId;
    b.values[o] = value;
    b.lines[o] = line;
    this.slots[slot] = e + 1;
    // Keep the table at most half full so probe runs stay short.
    if (this.size * 2 > this.mask) this.growSlots();
    return KeySeen.first;
  }

  /** The line of the key's first occurrence, if the batch has the key. */
  lineOf(indicator: number, region: number, timeMs: number, dimsJson: string): number | undefined {
    const dimsId = this.dimsIds.get(dimsJson);
    if (dimsId === undefined) return undefined;
    for (let slot = hash(indicator, region, timeMs, dimsId) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return undefined;
      const b = this.blocks[(entry - 1) >>> BLOCK_BITS]!;
      const o = (entry - 1) & IN_BLOCK;
      if (b.times[o] === timeMs && b.regions[o] === region && b.indicators[o] === indicator && b.dims[o] === dimsId)
        return b.lines[o]!;
    }
  }

  /**
   * The series (indicator, region, dims) the batch's keys fall in, each with its first and last
   * time: what a check over the touched series needs, gathered once at the end of the batch
   * rather than per record.
   */
  series(): BatchSeries {
    const dimsJson: string[] = [];
    for (const [json, id] of this.dimsIds) dimsJson[id] = json;
    // indicator and region in one exact number (16 + 32 bits); dims under it, mostly `{}` alone.
    const index = new Map<number, Map<number, number>>();
    const out: BatchSeries = { indicators: [], regions: [], dims: [], minMs: [], maxMs: [] };
    for (let e = 0; e < this.size; e++) {
      const b = this.blocks[e >>> BLOCK_BITS]!;
      const o = e & IN_BLOCK;
      const key = b.indicators[o]! * 4294967296 + (b.regions[o]! >>> 0);
      let byDims = index.get(key);
      if (!byDims) index.set(key, (byDims = new Map()));
      const t = b.times[o]!;
      const at = byDims.get(b.dims[o]!);
      if (at === undefined) {
        byDims.set(b.dims[o]!, out.indicators.length);
        out.indicators.push(b.indicators[o]!);
        out.regions.push(b.regions[o]!);
        out.dims.push(dimsJson[b.dims[o]!]!);
        out.minMs.push(t);
        out.maxMs.push(t);
      } else {
        if (t < out.minMs[at]!) out.minMs[at] = t;
        if (t > out.maxMs[at]!) out.maxMs[at] = t;
      }
    }
    return out;
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      const b = this.blocks[e >>> BLOCK_BITS]!;
      const o = e & IN_BLOCK;
      let slot = hash(b.indicators[o]!, b.regions[o]!, b.times[o]!, b.dims[o]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
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
