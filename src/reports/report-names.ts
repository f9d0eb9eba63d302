import { languages, type Language } from '../conventions.js';

/**
 * The names a report is asked for by: formats, languages and the file name. Kept free of zod and of
 * the writers, so the command line can describe `pacer report` without loading them.
 */

/** The formats a report is written in. */
export const reportFormats = ['xlsx', 'csv', 'md'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** The languages a report is written in: Pacer's (`languages` in the conventions). */
export const reportLanguages = languages;
export type ReportLanguage = Language;

/** `scorecard-2023-06-30.xlsx`: the day of the report in its name, so a month's files sort and never collide. */
export function reportFileName(asOfDay: string, format: ReportFormat): string {
  return `scorecard-${asOfDay}.${format}`;
}
