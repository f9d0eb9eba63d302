import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
import { Formatter } from '../domain/language/formatter.js';
import { messages } from '../domain/language/messages.js';

/**
 * English status names and figures, for code that only ever writes English. The pages, the CLI and the
 * reports write in the reader's language through a `Formatter` (`src/domain/language/`); these are its
 * English, so the two never disagree.
 */

/** How people read each status in English (the badge text; never colour alone). */
export const statusLabels: Readonly<Record<TargetStatus, string>> = messages.en.statuses;

// One owner for how numbers read: the domain's formatter, which the explanations use too.
export { formatNumber, formatPercent, formatValue } from '../domain/format/value-format.js';

const english = new Formatter('en', 'UTC');

/**
 * A chance to meet as a whole percentage ("12%"), with "<1%" and ">99%" for what rounds to 0 or 100
 * without being certain: only a decided target reads 0% or 100%.
 */
export function formatChance(p: number): string {
  return english.chance(p);
}
