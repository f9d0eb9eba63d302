import { z } from 'zod';
import { observationIssueCodes } from '../domain/observations/observation-validator.js';
import { observationWarningCodes, type ObservationWarningCode } from '../domain/observations/observation-warnings.js';
import type { OpenApiRegistry } from '../http/openapi-registry.js';
import { ingestModes } from './ingestor.js';

const count = () => z.number().int().min(0);

/** The ingest API's schemas, registered as OpenAPI components of `registry`. */
export function ingestSchemas(registry: OpenApiRegistry) {
  const issue = registry.component(
    'IngestIssue',
    z.object({
      line: z
        .number()
        .int()
        .describe('1-based line of the body (CSV: the header is line 1), or the element number of a JSON array.'),
      field: z
        .string()
        .describe('The field (indicator, region, observed_at, value, dims.<key>, note), or "" for the whole record.'),
      code: z.string().describe(`One of: ${Object.keys(observationIssueCodes).join(', ')}.`),
      message: z.string(),
    }),
  );
  const warning = registry.component(
    'IngestWarning',
    z.object({
      line: z
        .number()
        .int()
        .describe(
          'The line (or JSON array element) of the record the warning is about: the flagged value, or the value ' +
            'written just before a stored value it made a decrease or a jump.',
        ),
      field: z.literal('value'),
      code: z
        .enum(Object.keys(observationWarningCodes) as [ObservationWarningCode, ...ObservationWarningCode[]])
        .describe(
          Object.entries(observationWarningCodes)
            .map(([code, meaning]) => `${code}: ${meaning}`)
            .join('; ') + '.',
        ),
      message: z.string().describe('What was found, with the numbers.'),
    }),
  );
  const summary = registry.component(
    'IngestSummary',
    z.object({
      batch_id: z.number().int().nullable(),
      received: count().describe('Records in the body.'),
      inserted: count().describe('New keys written.'),
      updated: count().describe('Keys whose value changed; the old value is kept as a revision.'),
      unchanged: count().describe('Records whose key already had this value: nothing written.'),
      rejected: count().describe('Invalid records, not written (mode=partial).'),
      errors: z.array(issue).describe('The first 100 issues.'),
      errors_total: count(),
      warnings: z
        .array(warning)
        .describe('The first 100 data-quality warnings: values written as usual, but flagged for people to check.'),
      warnings_total: count(),
      replayed: z
        .boolean()
        .optional()
        .describe('True when this is the stored answer to an earlier request with the same Idempotency-Key.'),
    }),
  );
  const record = registry.component(
    'ObservationRecord',
    z.object({
      indicator: z.string().describe('Catalog indicator id, e.g. vneid_accounts_issued.'),
      region: z.string().describe('Region code valid on observed_at, e.g. "79" or "VN".'),
      observed_at: z.string().describe("ISO date (the start of that day in the region's time zone) or date-time."),
      value: z
        .union([z.number(), z.string()])
        .describe('A finite number (ratio 0..1, milestone 0 or 1, cumulative >= 0).'),
      dims: z.record(z.string(), z.string()).optional().describe('At most 8 extra dimensions, part of the key.'),
      note: z.string().max(1000).optional(),
    }),
  );
  const batch = registry.component(
    'IngestBatch',
    z.object({
      id: z.number().int(),
      source: z.string().describe('push, cli, feed or demo.'),
      feed: z.string().nullable(),
      token_id: z.number().int().nullable(),
      mode: z.enum(ingestModes).nullable(),
      status: z.enum(['running', 'committed', 'failed']),
      received: count(),
      inserted: count(),
      updated: count(),
      unchanged: count(),
      rejected: count(),
      started_at: z.string(),
      finished_at: z.string().nullable(),
      errors: z.array(issue),
      errors_total: count(),
    }),
  );
  return { issue, warning, summary, record, batch };
}

export const ingestQuerySchema = z.object({
  mode: z
    .enum(ingestModes)
    .default('atomic')
    .describe(
      'atomic: any invalid record rejects the batch (400), nothing written. partial: valid records are written, ' +
        'invalid ones reported.',
    ),
});

export const ingestHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, { message: 'printable ASCII without spaces' })
    .optional()
    .describe(
      'A retry with the same key and body returns the first answer without writing again; the same key with ' +
        'another body is a 422.',
    ),
});

export const batchParamsSchema = z.object({ id: z.coerce.number().int().positive() });

export const batchListQuerySchema = z.object({
  feed: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
