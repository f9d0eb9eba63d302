import { statusesWorstFirst } from '../domain/evaluation/status-order.js';
import { NONE } from '../domain/format/value-format.js';
import { formatPercent, formatValue, statusLabels } from '../scorecard/scorecard-format.js';
import type { TargetSummary } from '../scorecard/scorecard-schema.js';
import { calendarDay } from '../evaluation/as-of.js';
import { formatCalendarDay } from './report-format.js';
import { knownAtNote, type DirectiveSection, type ScorecardReport } from './report-service.js';

const header = [
  'Status',
  'Target',
  'Owner',
  'Due',
  'Current',
  'Target value',
  'Progress (expected)',
  'Projected at deadline',
  'Projected completion',
  'Why',
];
// Figures right-aligned, as on the page.
const alignment = ['---', '---', '---', '---', '---:', '---:', '---:', '---:', '---', '---'];

/**
 * The report as Markdown for an e-mail: a heading and a table per directive, worst first, with
 * numbers and dates as people read them (`value-format.ts`: counts whole, ratios in percent, days
 * such as 30 Jun 2023 in the directive time zone) and the reason for each status in words.
 */
export function reportMarkdown(report: ScorecardReport): string {
  const parts = [`# Scorecard as of ${formatCalendarDay(report.asOfDay)} (${report.timezone})${knownAtNote(report)}`];
  for (const section of report.directives) parts.push(directiveTable(section, report.timezone));
  return `${parts.join('\n\n')}\n`;
}

function directiveTable({ directive, targets }: DirectiveSection, timezone: string): string {
  const counts = statusesWorstFirst
    .map((s) => ({ s, n: targets.filter((t) => t.status === s).length }))
    .filter(({ n }) => n > 0)
    .map(({ s, n }) => `${n} ${statusLabels[s].toLowerCase()}`);
  const lines = [
    `## ${cell(directive.title)}`,
    '',
    `${cell(directive.issuer)}, issued ${formatCalendarDay(directive.issued)}. ${targets.length} targets: ` +
      `${counts.join(', ')}.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${alignment.join('|')}|`,
    ...targets.map((t) => `| ${row(t, timezone).map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function row(t: TargetSummary, timezone: string): string[] {
  const milestone = t.kind === 'milestone';
  const value = (x: number | null) => (x === null ? NONE : formatValue(x, t.kind));
  const currentDay = t.current_observed_at ? calendarDay(Date.parse(t.current_observed_at), timezone) : null;
  const current =
    t.current === null
      ? NONE
      : `${value(t.current)}${currentDay && !milestone ? ` (${formatCalendarDay(currentDay)})` : ''}` +
        (t.partial ? ', partial' : '');
  const progress = `${t.progress === null ? NONE : formatPercent(t.progress)} (${formatPercent(t.expected_progress)})`;
  const completion =
    milestone || t.status === 'achieved' || t.current === null
      ? NONE
      : t.projected_completion
        ? formatCalendarDay(t.projected_completion)
        : NONE;
  return [
    `**${statusLabels[t.status]}**${t.achieved_late ? ' (met late)' : ''}`,
    `${t.title} (\`${t.target}\`)`,
    t.owner,
    formatCalendarDay(t.due),
    current,
    `${t.direction === 'at_most' ? '≤ ' : ''}${value(t.target_value)}`,
    progress,
    milestone ? NONE : value(t.projected),
    completion,
    t.explanation,
  ];
}

/** A table cell: a `|` would end it and a line break would end the row. */
function cell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replace(/\s*[\r\n]+\s*/g, ' ');
}
