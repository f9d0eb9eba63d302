import { statusesWorstFirst } from '../domain/evaluation/status-order.js';
import { NONE } from '../domain/format/value-format.js';
import { Formatter } from '../domain/language/formatter.js';
import type { TargetSummary } from '../scorecard/scorecard-schema.js';
import { knownAtNote, type DirectiveSection, type ScorecardReport } from './report-service.js';

// Figures right-aligned, as on the page.
const alignment = ['---', '---', '---', '---', '---:', '---:', '---:', '---:', '---', '---'];

/**
 * The report as Markdown for an e-mail, in the report's language: a heading and a table per directive,
 * worst first, with numbers and dates as its readers write them (counts whole, ratios in percent, days
 * such as 30 Jun 2023 or 30/06/2023 in the directive time zone) and the reason for each status in words.
 */
export function reportMarkdown(report: ScorecardReport): string {
  const f = new Formatter(report.lang, report.timezone);
  const title = f.messages.report.title(f.calendarDay(report.asOfDay), report.timezone);
  const parts = [`# ${title}${knownAtNote(report, f)}`];
  for (const section of report.directives) parts.push(directiveTable(section, f));
  return `${parts.join('\n\n')}\n`;
}

function directiveTable({ directive, targets }: DirectiveSection, f: Formatter): string {
  const say = f.messages.report;
  const h = say.head;
  // The page's short headings where the page has the column (a title with its id, a due day).
  const page = f.messages.page.head;
  const header = [
    h.status,
    page.target,
    h.owner,
    page.due,
    h.current,
    h.targetValue,
    h.progressExpected,
    h.projected,
    h.completion,
    h.why,
  ];
  const counts = statusesWorstFirst
    .map((s) => ({ s, n: targets.filter((t) => t.status === s).length }))
    .filter(({ n }) => n > 0)
    .map(({ s, n }) => `${n} ${f.status(s).toLocaleLowerCase(f.locale)}`);
  const issued = say.issued({
    issuer: cell(directive.issuer),
    day: f.calendarDay(directive.issued),
    count: targets.length,
    counts: counts.join(', '),
  });
  const lines = [
    `## ${cell(directive.title)}`,
    '',
    issued,
    '',
    `| ${header.join(' | ')} |`,
    `|${alignment.join('|')}|`,
    ...targets.map((t) => `| ${row(t, f).map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function row(t: TargetSummary, f: Formatter): string[] {
  const say = f.messages.report;
  const milestone = t.kind === 'milestone';
  const value = (x: number | null) => (x === null ? NONE : f.value(x, t.kind));
  const currentDay = t.current_observed_at ? f.day(t.current_observed_at) : null;
  const current =
    t.current === null
      ? NONE
      : `${value(t.current)}${currentDay && !milestone ? ` (${currentDay})` : ''}` + (t.partial ? say.partial : '');
  const progress = `${t.progress === null ? NONE : f.percent(t.progress)} (${f.percent(t.expected_progress)})`;
  const completion =
    milestone || t.status === 'achieved' || t.current === null
      ? NONE
      : t.projected_completion
        ? f.calendarDay(t.projected_completion)
        : NONE;
  return [
    `**${f.status(t.status)}**${t.achieved_late ? say.metLate : ''}`,
    `${t.title} (\`${t.target}\`)`,
    t.owner,
    f.calendarDay(t.due),
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
