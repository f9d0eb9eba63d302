import type { TargetSummary } from '../scorecard/scorecard-schema.js';
import { calendarDay } from '../evaluation/as-of.js';
import type { ScorecardReport } from './report-service.js';

/**
 * The columns of the CSV report, one row per target. Numbers are plain (a `.` decimal point, no
 * grouping) so any program reads them: counts whole, ratios and progress as fractions of 1 with
 * four decimals (0.0484 is 4.84%). Dates are calendar days YYYY-MM-DD in the directive time zone.
 */
export const reportCsvColumns = [
  'as_of',
  'directive',
  'target',
  'title',
  'owner',
  'indicator',
  'unit',
  'kind',
  'region',
  'status',
  'reason',
  'explanation',
  'achieved_late',
  'direction',
  'baseline',
  'target_value',
  'current',
  'current_date',
  'coverage',
  'progress',
  'expected_progress',
  'projected',
  'value_at_deadline',
  'projected_completion',
  'due',
] as const;

/** The byte order mark: without it Excel reads UTF-8 as the system code page and garbles "Bộ Công an". */
const BOM = '\uFEFF';

/**
 * The report as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a
 * line break, quotes doubled), UTF-8 with a byte order mark. Every directive's targets in one table,
 * worst first within each directive.
 */
export function reportCsv(report: ScorecardReport): string {
  const lines = [reportCsvColumns.map(field).join(',')];
  for (const { targets } of report.directives) for (const t of targets) lines.push(row(t, report).map(field).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

function row(t: TargetSummary, report: ScorecardReport): (string | number | null)[] {
  const value = (x: number | null) => (x === null ? null : t.kind === 'ratio' ? fraction(x) : Math.round(x) || 0);
  const cells: Record<(typeof reportCsvColumns)[number], string | number | null> = {
    as_of: report.asOfDay,
    directive: t.directive,
    target: t.target,
    title: t.title,
    owner: t.owner,
    indicator: t.indicator,
    unit: t.unit,
    kind: t.kind,
    region: t.region,
    status: t.status,
    reason: t.reason,
    explanation: t.explanation,
    achieved_late: t.achieved_late ? 'true' : 'false',
    direction: t.direction,
    baseline: value(t.baseline),
    target_value: value(t.target_value),
    current: value(t.current),
    current_date: t.current_observed_at ? calendarDay(Date.parse(t.current_observed_at), report.timezone) : null,
    coverage: t.coverage === null ? null : fraction(t.coverage),
    progress: t.progress === null ? null : fraction(t.progress),
    expected_progress: fraction(t.expected_progress),
    projected: t.kind === 'milestone' ? null : value(t.projected),
    value_at_deadline: value(t.value_at_deadline),
    projected_completion: t.projected_completion,
    due: t.due,
  };
  return reportCsvColumns.map((c) => cells[c]);
}

/** A share with four decimals, trailing zeros dropped: 0.048442… → 0.0484, 1 → 1. */
function fraction(x: number): number {
  return Number(x.toFixed(4)) || 0;
}

/**
 * One field. Text starting with `=`, `+`, `-`, `@` or a control character gets a leading `'`:
 * spreadsheets would otherwise run it as a formula (CSV injection), and titles and owners come from
 * the catalog, explanations from reported data.
 */
function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
