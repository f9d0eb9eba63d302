import type { Rollup } from '../catalog/catalog-schema.js';
import { isValidAt } from '../regions/region-registry.js';
import type { Parts } from './target-evaluation.js';

/**
 * The value of an indicator in a region as of t, when the region itself may not report:
 *
 * 1. its own latest observation at or before t (coverage 1); else
 * 2. the rollup (sum, mean, min or max, by indicator) of its children in force at t, each
 *    valued the same way recursively (coverage: children with a value / children); else
 * 3. the rollup of the latest observations of its predecessors: units that went wholly into it
 *    at a reorganisation (Binh Duong, 74, until 2025-06-30 → Ho Chi Minh City, 79, from
 *    2025-07-01). Partially merged units are left out: their value cannot be apportioned.
 *
 * So pre-2025 provincial figures count toward the 2025 province they merged into, and through
 * it toward the nation. Indicators with rollup `none` only ever have direct values.
 */

export interface RollupUnit {
  id: number;
  parentId: number | null;
  validFrom: Date | null;
  validTo: Date | null;
  /** The unit's level (province, commune, ...): a rollup names its parts by it. */
  level?: string;
}

export interface Point {
  at: number;
  value: number;
}

export interface RolledValue extends Point {
  coverage: number;
  source: 'direct' | 'children' | 'predecessors';
  /** How many parts reported, of how many: null for a direct value. */
  parts: Parts | null;
}

/** The region tree at one instant, reusable across indicators. */
export class RegionTree {
  private readonly childrenAt = new Map<number, number[]>();
  private readonly predecessors: ReadonlyMap<number, readonly number[]>;
  private readonly levels = new Map<number, string>();

  /**
   * @param units every unit of the registry
   * @param fullPredecessors successor id → ids of the units that went wholly into it (transitively)
   * @param asOf the instant whose hierarchy applies
   */
  constructor(units: readonly RollupUnit[], fullPredecessors: ReadonlyMap<number, readonly number[]>, asOf: Date) {
    for (const unit of units) {
      if (unit.level !== undefined) this.levels.set(unit.id, unit.level);
      if (unit.parentId === null || !isValidAt(unit, asOf)) continue;
      const list = this.childrenAt.get(unit.parentId);
      if (list) list.push(unit.id);
      else this.childrenAt.set(unit.parentId, [unit.id]);
    }
    this.predecessors = fullPredecessors;
  }

  children(id: number): readonly number[] {
    return this.childrenAt.get(id) ?? [];
  }

  /**
   * Values one indicator's series (latest observation per region, at or before the instant)
   * into effective values for the regions asked for, memoizing along the way.
   */
  valuer(rollup: Rollup, direct: ReadonlyMap<number, Point>): (regionId: number) => RolledValue | undefined {
    const memo = new Map<number, RolledValue | null>();
    const value = (id: number): RolledValue | undefined => {
      const known = memo.get(id);
      if (known !== undefined) return known ?? undefined;
      memo.set(id, null); // guards against cycles in malformed data
      const own = direct.get(id);
      let result: RolledValue | undefined;
      if (own) result = { ...own, coverage: 1, source: 'direct', parts: null };
      else if (rollup !== 'none') {
        const children = this.children(id);
        const predecessors = this.predecessors.get(id) ?? [];
        result =
          combine(rollup, children.map(value), 'children', this.levels.get(children[0]!) ?? null) ??
          combine(
            rollup,
            predecessors.map((p) => direct.get(p)),
            'predecessors',
            this.levels.get(predecessors[0]!) ?? null,
          );
      }
      memo.set(id, result ?? null);
      return result;
    };
    return value;
  }
}

function combine(
  rollup: Rollup,
  parts: readonly (Point | undefined)[],
  source: RolledValue['source'],
  level: string | null,
): RolledValue | undefined {
  if (parts.length === 0) return undefined;
  let count = 0;
  let acc = rollup === 'min' ? Infinity : rollup === 'max' ? -Infinity : 0;
  let at = -Infinity;
  for (const p of parts) {
    if (!p) continue;
    count++;
    if (p.at > at) at = p.at;
    if (rollup === 'min') acc = Math.min(acc, p.value);
    else if (rollup === 'max') acc = Math.max(acc, p.value);
    else acc += p.value;
  }
  if (count === 0) return undefined;
  return {
    value: rollup === 'mean' ? acc / count : acc,
    at,
    coverage: count / parts.length,
    source,
    parts: { reported: count, total: parts.length, level },
  };
}
