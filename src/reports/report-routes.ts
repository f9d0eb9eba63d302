import type { FastifyReply } from 'fastify';
import { errorSchema } from '../http/error-schema.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { defineRoute, type Route } from '../http/route.js';
import { reportFileName, reportMediaTypes, type ReportFormat } from './report-format.js';
import { reportQuerySchema } from './report-schema.js';
import type { ReportService, ScorecardReport } from './report-service.js';

/** The paths of the downloads, for the scorecard page's links. */
export const reportPaths = { xlsx: '/reports/scorecard.xlsx', csv: '/reports/scorecard.csv' } as const;

/**
 * `GET /reports/scorecard.xlsx` and `GET /reports/scorecard.csv`: the scorecard as a file to send,
 * evaluated as of `?at=` (default now) as known at `?known_at=` (default now), with a file name
 * carrying the day. Reads, open unless the
 * deployment requires tokens for reads.
 */
export function reportRoutes(deps: { reports: Pick<ReportService, 'build'>; openapi: OpenApiRegistry }): Route[] {
  const error = errorSchema(deps.openapi);
  const send = (reply: FastifyReply, report: ScorecardReport, format: ReportFormat, body: string | Buffer) =>
    reply
      .type(reportMediaTypes[format])
      .header('content-disposition', `attachment; filename="${reportFileName(report.asOfDay, format)}"`)
      // A report of "now" changes with every push: never reuse one.
      .header('cache-control', 'no-store')
      .send(body);
  const common = {
    method: 'get' as const,
    tags: ['reports'],
    access: 'read' as const,
    query: reportQuerySchema,
  };
  const headers = { 'Content-Disposition': 'attachment; filename="scorecard-YYYY-MM-DD.<ext>" (the as-of day).' };
  const xlsx = defineRoute({
    ...common,
    path: reportPaths.xlsx,
    summary: 'The scorecard as an Excel workbook',
    description:
      'A sheet per directive (targets worst first: status in the scorecard colours, reason and explanation, owner, ' +
      'target, current value and its date, progress, expected progress, projected value, value at the deadline, ' +
      'projected completion, due date) and a sheet "Observations" with the observation behind each current value. ' +
      'The same evaluation as `GET /v1/targets`.',
    responses: {
      200: { description: 'The workbook.', content: { [reportMediaTypes.xlsx]: null }, headers },
      400: {
        description: 'A bad `at` or `known_at` date, or an `at` before the directive was issued.',
        content: { 'application/json': error },
      },
    },
    handler: async ({ query, reply }) => {
      const report = await deps.reports.build(query);
      // exceljs is loaded on the first download, not when the server starts.
      const { reportXlsx } = await import('./report-xlsx.js');
      return send(reply, report, 'xlsx', await reportXlsx(report));
    },
  });
  const csv = defineRoute({
    ...common,
    path: reportPaths.csv,
    summary: 'The scorecard as CSV',
    description:
      'One row per target (RFC 4180, UTF-8 with a byte order mark so Excel reads Vietnamese names right); the ' +
      'columns are those of `pacer report --format csv`.',
    responses: {
      200: { description: 'The CSV file.', content: { 'text/csv': null }, headers },
      400: {
        description: 'A bad `at` or `known_at` date, or an `at` before the directive was issued.',
        content: { 'application/json': error },
      },
    },
    handler: async ({ query, reply }) => {
      const report = await deps.reports.build(query);
      const { reportCsv } = await import('./report-csv.js');
      return send(reply, report, 'csv', reportCsv(report));
    },
  });
  return [xlsx, csv];
}
