import type { TargetStatus } from './target-evaluation.js';

/**
 * How bad each status is, worst first: a missed deadline, then targets that will miss it, then
 * those that may, then the ones nobody can tell about, then the ones on course and done. The
 * scorecard, `pacer status` and the API list targets in this order.
 */
export const statusesWorstFirst: readonly TargetStatus[] = [
  'missed',
  'off_track',
  'at_risk',
  'no_data',
  'on_track',
  'achieved',
];

const rank = new Map(statusesWorstFirst.map((status, i) => [status, i]));

/** What the order needs to know of an evaluated target. */
export interface Rankable {
  id: string;
  status: TargetStatus;
  progress: number | null;
  expectedProgress: number;
  deadline: number;
}

/** How far behind the expected pace a target is (in progress points); unknown progress counts as furthest behind. */
export function paceGap(t: Pick<Rankable, 'progress' | 'expectedProgress'>): number {
  return t.progress === null ? Infinity : t.expectedProgress - t.progress;
}

/**
 * Worst first: by status, then furthest behind the expected pace, then the nearest deadline, then
 * id, so the order is total and the same on every run.
 */
export function compareWorstFirst(a: Rankable, b: Rankable): number {
  const byStatus = rank.get(a.status)! - rank.get(b.status)!;
  if (byStatus !== 0) return byStatus;
  const gapA = paceGap(a);
  const gapB = paceGap(b);
  if (gapA !== gapB) return gapA === Infinity ? -1 : gapB === Infinity ? 1 : gapB - gapA;
  return a.deadline - b.deadline || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
