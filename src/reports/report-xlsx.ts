import ExcelJS from 'exceljs';
import type { Cell, Worksheet } from 'exceljs';
import { Formatter } from '../domain/language/formatter.js';
import type { TargetSummary } from '../scorecard/scorecard-schema.js';
import { calendarDay } from '../evaluation/as-of.js';
import { dayParts, statusColours } from './report-format.js';
import { knownAtNote, type ReportObservation, type ScorecardReport } from './report-service.js';

/**
 * Number formats by indicator kind, the spreadsheet's spelling of the `Formatter`: counts whole and
 * grouped, ratios in percent with one decimal, tasks done / not done in the report's language (the
 * cell keeps 0 or 1). Excel groups and marks decimals as the reader's own settings say.
 */
function numberFormats(f: Formatter): Record<TargetSummary['kind'], string> {
  const { done, notDone } = f.messages.value;
  return { cumulative: '#,##0', level: '#,##0', ratio: '0.0%', milestone: `[>=1]"${done}";"${notDone}"` };
}
const percent = '0.0%';

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
function targetColumns(f: Formatter): Column<TargetSummary>[] {
  const formats = numberFormats(f);
  const byKind = (t: { kind: TargetSummary['kind'] }) => formats[t.kind];
  const say = f.messages.report;
  const h = say.head;
  const dateFormat = say.dateFormat;
  const timezone = f.timeZone;
  return [
    { header: h.status, width: 14, value: (t) => f.status(t.status) },
    { header: h.reason, width: 20, value: (t) => t.reason },
    { header: h.explanation, width: 70, value: (t) => t.explanation, wrap: true },
    { header: h.target, width: 34, value: (t) => t.target },
    { header: h.title, width: 50, value: (t) => t.title, wrap: true },
    { header: h.owner, width: 30, value: (t) => t.owner, wrap: true },
    { header: h.indicator, width: 36, value: (t) => t.indicator_name, wrap: true },
    { header: h.region, width: 10, value: (t) => t.region },
    { header: h.baseline, width: 14, value: (t) => valueOf(t.baseline, t.kind), format: byKind },
    { header: h.targetValue, width: 14, value: (t) => valueOf(t.target_value, t.kind), format: byKind },
    { header: h.direction, width: 10, value: (t) => (t.direction === 'at_most' ? say.atMost : say.atLeast) },
    { header: h.current, width: 14, value: (t) => valueOf(t.current, t.kind), format: byKind },
    {
      header: h.currentDate,
      width: 12,
      value: (t) => excelDate(t.current_observed_at && calendarDay(Date.parse(t.current_observed_at), timezone)),
      format: dateFormat,
    },
    { header: h.progress, width: 10, value: (t) => t.progress, format: percent },
    { header: h.expectedProgress, width: 10, value: (t) => t.expected_progress, format: percent },
    {
      header: h.projected,
      width: 14,
      value: (t) => (t.kind === 'milestone' ? null : valueOf(t.projected, t.kind)),
      format: byKind,
    },
    { header: h.valueAtDeadline, width: 14, value: (t) => valueOf(t.value_at_deadline, t.kind), format: byKind },
    {
      header: h.completion,
      width: 12,
      value: (t) => excelDate(t.projected_completion),
      format: dateFormat,
    },
    { header: h.due, width: 12, value: (t) => excelDate(t.due), format: dateFormat },
    {
      header: say.notes,
      width: 24,
      value: (t) =>
        [t.achieved_late ? say.metAfterDeadline : '', t.partial ? say.partialValue : ''].filter(Boolean).join('; ') ||
        null,
    },
  ];
}

function observationColumns(f: Formatter): Column<ReportObservation>[] {
  const formats = numberFormats(f);
  const say = f.messages.report;
  const h = say.observation;
  return [
    { header: say.head.target, width: 34, value: (o) => o.target },
    { header: say.head.indicator, width: 28, value: (o) => o.indicator },
    { header: h.indicatorName, width: 36, value: (o) => o.indicatorName, wrap: true },
    { header: say.head.region, width: 10, value: (o) => o.regionCode },
    { header: h.regionName, width: 24, value: (o) => o.regionName },
    { header: h.date, width: 12, value: (o) => excelDate(o.day), format: say.dateFormat },
    { header: h.value, width: 14, value: (o) => valueOf(o.value, o.kind), format: (o) => formats[o.kind] },
    { header: h.unit, width: 12, value: (o) => o.unit },
    { header: h.source, width: 26, value: (o) => say.sources[o.source] },
    { header: h.coverage, width: 10, value: (o) => o.coverage, format: percent },
    { header: h.note, width: 60, value: (o) => o.note, wrap: true },
    { header: h.batch, width: 8, value: (o) => o.batchId, format: '0' },
    { header: h.batchSource, width: 12, value: (o) => o.batchSource },
    { header: h.feed, width: 20, value: (o) => o.feed },
  ];
}

/** The name of the sheet of the observations in an English report; a directive's sheet never takes it. */
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
  const f = new Formatter(report.lang, report.timezone);
  const say = f.messages.report;
  const day = f.calendarDay(report.asOfDay);
  const known = knownAtNote(report, f);
  const observationsSheet = say.observationsSheet;
  const used = new Set([observationsSheet.toLowerCase()]);
  for (const { directive, targets } of report.directives) {
    const sheet = workbook.addWorksheet(sheetName(directive.id, used));
    const title =
      say.sheetTitle({ directive: directive.title, count: targets.length, day, timezone: report.timezone }) + known;
    fillSheet(sheet, title, targetColumns(f), targets);
    targets.forEach((t, i) => {
      const cell = sheet.getCell(i + 3, 1);
      const colour = statusColours[t.status];
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: `FF${colour.fill}` } };
      cell.font = { bold: true, color: { argb: `FF${colour.text}` } };
      const side = { style: 'thin' as const, color: { argb: `FF${colour.border}` } };
      cell.border = { top: side, bottom: side, left: side, right: side };
    });
  }
  const sheet = workbook.addWorksheet(observationsSheet);
  const title = say.observationsTitle({ day, timezone: report.timezone }) + known;
  fillSheet(sheet, title, observationColumns(f), report.observations);
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
