import { z } from 'zod';
import type { OpenApiRegistry } from './openapi-registry.js';

const registered = new WeakMap<OpenApiRegistry, ReturnType<typeof define>>();

/** The body of every error response (see errors/error-mapping.ts), as a named OpenAPI component of `registry`. */
export function errorSchema(registry: OpenApiRegistry) {
  let schema = registered.get(registry);
  if (!schema) registered.set(registry, (schema = define(registry)));
  return schema;
}

function define(registry: OpenApiRegistry) {
  return registry.component(
    'Error',
    z.object({
      error: z.object({
        code: z.string().describe('Stable machine-readable code, e.g. invalid_batch, unauthorized, too_many_ingests.'),
        message: z.string(),
        issues: z.array(z.object({ line: z.number().int().optional(), field: z.string().optional(), code: z.string(), message: z.string() })).optional().describe('The first 100 problems, each with its line and field.'),
        issues_total: z.number().int().optional().describe('How many problems in all, when more than listed.'),
      }),
    }),
  );
}
