import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';

/** How people read each status (the badge text; never colour alone). */
export const statusLabels: Record<TargetStatus, string> = {
  missed: 'Missed',
  off_track: 'Off track',
  at_risk: 'At risk',
  no_data: 'No data',
  on_track: 'On track',
  achieved: 'Achieved',
};

// One owner for how numbers read: the domain's formatter, which the explanations use too.
export { formatNumber, formatPercent, formatValue } from '../domain/format/value-format.js';

/**
 * A chance to meet as a whole percentage ("12%"), with "<1%" and ">99%" for what rounds to 0 or 100
 * without being certain: only a decided target reads 0% or 100%.
 */
export function formatChance(p: number): string {
  if (p > 0 && p < 0.005) return '<1%';
  if (p < 1 && p > 0.995) return '>99%';
  return `${Math.round(p * 100)}%`;
}
