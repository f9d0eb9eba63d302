import { z } from 'zod';
import type { OpenApiRegistry } from './openapi-registry.js';

/** The body of every error response (see errors/error-mapping.ts); clients parse error answers with it. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. invalid_batch, unauthorized, too_many_ingests.'),
    message: z.string(),
    issues: z
      .array(
        z.object({
          line: z.number().int().optional(),
          field: z.string().optional(),
          code: z.string(),
          message: z.string(),
        }),
      )
      .optional()
      .describe('The first 100 problems, each with its line and field.'),
    issues_total: z.number().int().optional().describe('How many problems in all, when more than listed.'),
  }),
});

/**
 * The one `Error` component of `registry`, for every route's error responses. Registering it again
 * keeps its first place among the components.
 */
export function errorSchema(registry: OpenApiRegistry): typeof errorResponseSchema {
  return registry.component('Error', errorResponseSchema);
}
