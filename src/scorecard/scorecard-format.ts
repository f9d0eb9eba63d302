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
