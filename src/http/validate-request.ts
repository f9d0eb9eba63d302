import type { z } from 'zod';
import { InputError } from '../errors/pacer-error.js';

/** Parses a request part with its zod schema; a mismatch is a 400 naming each parameter. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'path' | 'header' | 'body'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ code: 'invalid_request', field: issue.path.join('.') || where, message: `${[where, issue.path.join('.')].filter(Boolean).join(' ')}: ${issue.message}` }));
  throw new InputError(issues.map((i) => i.message).join('; '), issues, { code: 'invalid_request' });
}
