import { z } from 'zod';
import { targetQuerySchema } from '../scorecard/scorecard-schema.js';
import { reportFormats, reportLanguageSchema } from './report-format.js';

/** `?at=` and `?known_at=` (as the scorecard reads them: a bare date is the end of that day) and `?lang=`. */
export const reportQuerySchema = targetQuerySchema.extend({
  lang: reportLanguageSchema
    .default('en')
    .describe('Language of the headings, status names, sentences, titles, owners, numbers and dates: en or vi.'),
});
export type ReportQuery = z.output<typeof reportQuerySchema>;

/** The options of `pacer report`, checked at the command line's edge. */
export const reportOptionsSchema = z.object({
  at: z.string().max(64).optional(),
  knownAt: z.string().max(64).optional(),
  format: z.enum(reportFormats),
  lang: reportLanguageSchema.default('en'),
  out: z.string().min(1).optional(),
});
export type ReportOptions = z.output<typeof reportOptionsSchema>;
