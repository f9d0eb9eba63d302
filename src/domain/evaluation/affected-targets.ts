import type { RollupUnit } from './region-rollup.js';

/**
 * The regions whose effective value may change when the given regions' own series change: each
 * region itself, every region it rolls up into (its parent, and on up), and every region it went
 * wholly into (a successor values itself from its predecessors), and theirs in turn. Parents are
 * followed whatever the instant, so the set is never smaller than what any instant's tree needs.
 *
 * @param units every unit of the registry
 * @param fullPredecessors successor id → ids of the units that went wholly into it (transitively)
 * @param changed the regions whose own series changed
 */
export function regionsReached(
  units: readonly RollupUnit[],
  fullPredecessors: ReadonlyMap<number, readonly number[]>,
  changed: Iterable<number>,
): Set<number> {
  const parentOf = new Map<number, number>();
  for (const u of units) if (u.parentId !== null) parentOf.set(u.id, u.parentId);
  const successorsOf = new Map<number, number[]>();
  for (const [successor, predecessors] of fullPredecessors) {
    for (const p of predecessors) {
      const list = successorsOf.get(p);
      if (list) list.push(successor);
      else successorsOf.set(p, [successor]);
    }
  }
  const reached = new Set<number>();
  const pending = [...changed];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (reached.has(id)) continue;
    reached.add(id);
    const parent = parentOf.get(id);
    if (parent !== undefined) pending.push(parent);
    for (const s of successorsOf.get(id) ?? []) pending.push(s);
  }
  return reached;
}

/**
 * The targets an evaluation must redo when the series in `changed` (indicator id → region ids)
 * got observations: those of a changed indicator whose region is reached by a changed region.
 * Every other target has the same inputs as before, so its previous result stands.
 */
export function targetsReached<T extends { indicatorId: string; regionId: number }>(
  targets: readonly T[],
  units: readonly RollupUnit[],
  fullPredecessors: ReadonlyMap<number, readonly number[]>,
  changed: ReadonlyMap<string, readonly number[]>,
): T[] {
  const reached = new Map<string, Set<number>>();
  for (const [indicator, regions] of changed) reached.set(indicator, regionsReached(units, fullPredecessors, regions));
  return targets.filter((t) => reached.get(t.indicatorId)?.has(t.regionId) ?? false);
}
