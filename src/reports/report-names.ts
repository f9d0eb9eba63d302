/**
 * The names a report is asked for by: formats, languages and the file name. Kept free of zod and of
 * the writers, so the command line can describe `pacer report` without loading them.
 */

/** The formats a report is written in. */
export const reportFormats = ['xlsx', 'csv', 'md'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/**
 * The languages a report's labels are written in. English only for now: the explanations are
 * written in English by the evaluation, and a report half in another language would read worse.
 */
export const reportLanguages = ['en'] as const;
export type ReportLanguage = (typeof reportLanguages)[number];

/** `scorecard-2023-06-30.xlsx`: the day of the report in its name, so a month's files sort and never collide. */
export function reportFileName(asOfDay: string, format: ReportFormat): string {
  return `scorecard-${asOfDay}.${format}`;
}
