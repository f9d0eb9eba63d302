import ExcelJS from 'exceljs';
import type { Cell, Worksheet } from 'exceljs';
import { statusLabels } from '../scorecard/scorecard-format.js';
import type { TargetSummary } from '../scorecard/scorecard-schema.js';
import { calendarDay } from '../evaluation/as-of.js';
import { dayParts, formatCalendarDay, statusColours } from './report-format.js';
import { knownAtNote, type ReportObservation, type ScorecardReport } from './report-service.js';

/**
 * Number formats by indicator kind, the spreadsheet's spelling of `value-format.ts`: counts whole
 * and grouped, ratios in percent with one decimal, tasks done / not done (the cell keeps 0 or 1).
 */
const numberFormats: Record<TargetSummary['kind'], string> = {
  cumulative: '#,##0',
  level: '#,##0',
  ratio: '0.0%',
  milestone: '[>=1]"Done";"Not done"',
};
const percent = '0.0%';
/** ISO dates: one spelling in every locale, the one the scorecard and the CSV use. */
const dateFormat = 'yyyy-mm-dd';

interface Column<T> {
  header: string;
  width: number;
  value: (row: T) => string | number | Date | null;
  /** The cell's number format: a fixed one, or one by the row's indicator kind. */
  format?: string | ((row: T) => string);
  wrap?: boolean;
}

/** A calendar day as an Excel date: midnight UTC of that date is that date's serial number, whole. */
function excelDate(day: string | null): Date | null {
  if (!day) return null;
  const p = dayParts(day);
  return new Date(Date.UTC(p.year, p.month - 1, p.day));
}

/** Counts are whole numbers in the cell too, not only on screen: a sum of the column adds what people see. */
const valueOf = (x: number | null, kind: TargetSummary['kind']) =>
  x === null ? null : kind === 'ratio' ? x : Math.round(x) || 0;
const byKind = (t: { kind: TargetSummary['kind'] }) => numberFormats[t.kind];

function targetColumns(timezone: string): Column<TargetSummary>[] {
  return [
    { header: 'Status', width: 12, value: (t) => statusLabels[t.status] },
    { header: 'Reason', width: 20, value: (t) => t.reason },
    { header: 'Explanation', width: 70, value: (t) => t.explanation, wrap: true },
    { header: 'Target', width: 34, value: (t) => t.target },
    { header: 'Title', width: 50, value: (t) => t.title, wrap: true },
    { header: 'Owner', width: 30, value: (t) => t.owner, wrap: true },
    { header: 'Indicator', width: 36, value: (t) => t.indicator_name, wrap: true },
    { header: 'Region', width: 10, value: (t) => t.region },
    { header: 'Baseline', width: 14, value: (t) => valueOf(t.baseline, t.kind), format: byKind },
    { header: 'Target value', width: 14, value: (t) => valueOf(t.target_value, t.kind), format: byKind },
    { header: 'Direction', width: 10, value: (t) => (t.direction === 'at_most' ? 'at most' : 'at least') },
    { header: 'Current', width: 14, value: (t) => valueOf(t.current, t.kind), format: byKind },
    {
      header: 'Current value date',
      width: 12,
      value: (t) => excelDate(t.current_observed_at && calendarDay(Date.parse(t.current_observed_at), timezone)),
      format: dateFormat,
    },
    { header: 'Progress', width: 10, value: (t) => t.progress, format: percent },
    { header: 'Expected progress', width: 10, value: (t) => t.expected_progress, format: percent },
    {
      header: 'Projected at deadline',
      width: 14,
      value: (t) => (t.kind === 'milestone' ? null : valueOf(t.projected, t.kind)),
      format: byKind,
    },
    { header: 'Value at deadline', width: 14, value: (t) => valueOf(t.value_at_deadline, t.kind), format: byKind },
    {
      header: 'Projected completion',
      width: 12,
      value: (t) => excelDate(t.projected_completion),
      format: dateFormat,
    },
    { header: 'Due date', width: 12, value: (t) => excelDate(t.due), format: dateFormat },
    {
      header: 'Notes',
      width: 24,
      value: (t) =>
        [t.achieved_late ? 'met after the deadline' : '', t.partial ? 'partial value' : '']
          .filter(Boolean)
          .join('; ') || null,
    },
  ];
}

const sourceLabels: Record<ReportObservation['source'], string> = {
  direct: 'Observed',
  children: 'Rolled up from its parts',
  predecessors: 'Rolled up from merged units',
};

const observationColumns: Column<ReportObservation>[] = [
  { header: 'Target', width: 34, value: (o) => o.target },
  { header: 'Indicator', width: 28, value: (o) => o.indicator },
  { header: 'Indicator name', width: 36, value: (o) => o.indicatorName, wrap: true },
  { header: 'Region', width: 10, value: (o) => o.regionCode },
  { header: 'Region name', width: 24, value: (o) => o.regionName },
  { header: 'Date', width: 12, value: (o) => excelDate(o.day), format: dateFormat },
  { header: 'Value', width: 14, value: (o) => valueOf(o.value, o.kind), format: byKind },
  { header: 'Unit', width: 12, value: (o) => o.unit },
  { header: 'Source', width: 26, value: (o) => sourceLabels[o.source] },
  { header: 'Coverage', width: 10, value: (o) => o.coverage, format: percent },
  { header: 'Note', width: 60, value: (o) => o.note, wrap: true },
  { header: 'Batch', width: 8, value: (o) => o.batchId, format: '0' },
  { header: 'Batch source', width: 12, value: (o) => o.batchSource },
  { header: 'Feed', width: 20, value: (o) => o.feed },
];

/** The name of the sheet of the observations; a directive's sheet never takes it. */
export const observationsSheetName = 'Observations';

/**
 * The report as an Excel workbook (Office Open XML): a sheet per directive, its targets worst first
 * with the status in the scorecard's badge colours, real numbers and dates, and a sheet
 * "Observations" with the observation behind every current value. Row 1 says what and as of when,
 * row 2 holds the headers; both stay in view.
 */
export async function reportXlsx(report: ScorecardReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Pacer';
  // The as-of instant, not the clock: the same report twice is the same workbook.
  workbook.created = workbook.modified = new Date(report.asOf);
  const asOf = `as of ${formatCalendarDay(report.asOfDay)} (${report.timezone})${knownAtNote(report)}`;
  const used = new Set([observationsSheetName.toLowerCase()]);
  for (const { directive, targets } of report.directives) {
    const sheet = workbook.addWorksheet(sheetName(directive.id, used));
    fillSheet(
      sheet,
      `${directive.title}: ${targets.length} targets ${asOf}, worst first`,
      targetColumns(report.timezone),
      targets,
    );
    targets.forEach((t, i) => {
      const cell = sheet.getCell(i + 3, 1);
      const colour = statusColours[t.status];
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: `FF${colour.fill}` } };
      cell.font = { bold: true, color: { argb: `FF${colour.text}` } };
      const side = { style: 'thin' as const, color: { argb: `FF${colour.border}` } };
      cell.border = { top: side, bottom: side, left: side, right: side };
    });
  }
  const sheet = workbook.addWorksheet(observationsSheetName);
  fillSheet(sheet, `The observation behind each current value, ${asOf}`, observationColumns, report.observations);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function fillSheet<T>(sheet: Worksheet, title: string, columns: Column<T>[], rows: readonly T[]): void {
  sheet.getCell(1, 1).value = title;
  sheet.getCell(1, 1).font = { bold: true, size: 12 };
  const head = sheet.getRow(2);
  columns.forEach((c, i) => {
    const cell = head.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { vertical: 'top', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
    sheet.getColumn(i + 1).width = c.width;
  });
  rows.forEach((r, i) => {
    const row = sheet.getRow(i + 3);
    columns.forEach((c, j) => {
      const cell: Cell = row.getCell(j + 1);
      cell.value = c.value(r);
      if (c.format) cell.numFmt = typeof c.format === 'string' ? c.format : c.format(r);
      cell.alignment = { vertical: 'top', wrapText: c.wrap === true };
    });
  });
  sheet.views = [{ state: 'frozen', xSplit: 0, ySplit: 2, topLeftCell: 'A3', activeCell: 'A3' }];
  if (rows.length > 0)
    sheet.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2 + rows.length, column: columns.length } };
}

/** A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the workbook (any case). */
function sheetName(wanted: string, used: Set<string>): string {
  const base =
    wanted
      .replace(/[[\]:*?/\\]/g, '-')
      .replace(/^'+|'+$/g, '')
      .slice(0, 31) || 'Directive';
  let name = base;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base.slice(0, 31 - String(n).length - 1)}-${n}`;
  used.add(name.toLowerCase());
  return name;
}
