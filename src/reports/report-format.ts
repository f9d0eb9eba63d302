import type { TargetStatus } from '../domain/evaluation/target-evaluation.js';
import { z } from 'zod';

import { reportLanguages, type ReportFormat } from './report-names.js';

export { reportFileName, reportFormats, reportLanguages } from './report-names.js';
export type { ReportFormat, ReportLanguage } from './report-names.js';

export const reportLanguageSchema = z.enum(reportLanguages);

export const reportMediaTypes: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/**
 * The badge colours of the scorecard (`scorecard.css`, `.s-*`): background, text and border, so a
 * status reads the same on the page and in a spreadsheet.
 */
export const statusColours: Record<TargetStatus, { fill: string; text: string; border: string }> = {
  missed: { fill: 'FEE2E2', text: '7F1D1D', border: 'B91C1C' },
  off_track: { fill: 'FFEDD5', text: '7C2D12', border: 'EA580C' },
  at_risk: { fill: 'FEF9C3', text: '713F12', border: 'CA8A04' },
  no_data: { fill: 'F3F4F6', text: '374151', border: '9CA3AF' },
  on_track: { fill: 'DCFCE7', text: '14532D', border: '16A34A' },
  achieved: { fill: 'DBEAFE', text: '1E3A8A', border: '2563EB' },
};

const calendarDayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The parts of a calendar day YYYY-MM-DD (already a day in the directive zone: no zone arithmetic). */
export function dayParts(day: string): { year: number; month: number; day: number } {
  const m = calendarDayPattern.exec(day);
  if (!m) throw new Error(`not a calendar day: ${day}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}
