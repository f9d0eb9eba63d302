import { ConflictError, InputError, NotFoundError, PacerError, UnavailableError } from './pacer-error.js';

/** CLI exit codes: 0 ok, 1 the user's input is wrong, 2 the system failed. */
export const ExitCode = { ok: 0, userError: 1, systemError: 2 } as const;

export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError || error instanceof NotFoundError || error instanceof ConflictError) {
    return ExitCode.userError;
  }
  return ExitCode.systemError;
}

export function httpStatusOf(error: unknown): number {
  if (error instanceof InputError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnavailableError) return 503;
  return 500;
}

/** The machine-readable body every HTTP error response carries. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: unknown[] };
}

export function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof PacerError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof InputError && error.issues.length > 0) body.error.issues = error.issues;
    return body;
  }
  return { error: { code: 'internal', message: 'internal error' } };
}
