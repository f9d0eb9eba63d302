import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
import type { TargetSummary } from './scorecard-schema.js';

/** How people read each status (the badge text; never colour alone). */
export const statusLabels: Record<TargetStatus, string> = {
  missed: 'Missed',
  off_track: 'Off track',
  at_risk: 'At risk',
  no_data: 'No data',
  on_track: 'On track',
  achieved: 'Achieved',
};

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fine = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** 12,500,000; 0.125; whole numbers from a thousand up. */
export function formatNumber(x: number): string {
  return Math.abs(x) >= 1000 ? grouped.format(x) : fine.format(x);
}

/** A ratio as a percentage with one decimal: 0.04844 → 4.8%. */
export function formatPercent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A value of the target's indicator as people read it: a count, a share, or done / not done. */
export function formatValue(x: number, kind: TargetSummary['kind']): string {
  if (kind === 'milestone') return x >= 1 ? 'Done' : 'Not done';
  if (kind === 'ratio') return formatPercent(x);
  return formatNumber(x);
}
