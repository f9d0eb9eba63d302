import {
  ConflictError,
  ForbiddenError,
  InputError,
  NotFoundError,
  PacerError,
  UnauthorizedError,
  UnavailableError,
} from './pacer-error.js';

/** CLI exit codes: 0 ok, 1 the user's input is wrong, 2 the system failed. */
export const ExitCode = { ok: 0, userError: 1, systemError: 2 } as const;

export function exitCodeOf(error: unknown): number {
  if (
    error instanceof InputError ||
    error instanceof NotFoundError ||
    error instanceof ConflictError ||
    error instanceof UnauthorizedError ||
    error instanceof ForbiddenError
  ) {
    return ExitCode.userError;
  }
  return ExitCode.systemError;
}

/** Codes whose HTTP status is more specific than their class's. */
const statusByCode: Record<string, number> = {
  body_timeout: 408,
  request_timeout: 408,
  body_too_large: 413,
  unsupported_media_type: 415,
  idempotency_conflict: 422,
  too_many_ingests: 429,
  headers_too_large: 431,
};

/** Seconds a client should wait before retrying when the database is unreachable. */
const databaseRetryAfterSeconds = 5;

export function httpStatusOf(error: unknown): number {
  if (error instanceof PacerError && statusByCode[error.code] !== undefined) return statusByCode[error.code]!;
  if (error instanceof InputError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnavailableError) return 503;
  if (isConnectionFailure(error)) return 503;
  return 500;
}

/** The `Retry-After` seconds for a retryable failure (429, 503), undefined otherwise. */
export function retryAfterOf(error: unknown): number | undefined {
  if (error instanceof UnavailableError) return error.retryAfterSeconds ?? databaseRetryAfterSeconds;
  if (!(error instanceof PacerError) && isConnectionFailure(error)) return databaseRetryAfterSeconds;
  return undefined;
}

/** The machine-readable body every HTTP error response carries. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: unknown[]; issues_total?: number };
}

export function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof PacerError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof InputError && error.issues.length > 0) {
      body.error.issues = error.issues;
      if (error.issuesTotal > error.issues.length) body.error.issues_total = error.issuesTotal;
    }
    return body;
  }
  if (isConnectionFailure(error))
    return { error: { code: 'database_unavailable', message: 'the database cannot be reached; retry later' } };
  return { error: { code: 'internal', message: 'internal error' } };
}

const connectionErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const connectionMessages = new RegExp(
  'Connection terminated|connection timeout|timeout exceeded when trying to connect|' +
    'Client has encountered a connection error|Connection closed|terminating connection',
  'i',
);

/**
 * Whether an error from a database driver means "cannot reach the database" (retry later) rather
 * than "this query is wrong": socket errors, PostgreSQL's connection-exception (08) and
 * operator-intervention (57P) SQLSTATEs, too many connections (53300), and pg's own messages for
 * a connection that died.
 */
export function isConnectionFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (connectionErrnos.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300')
    )
      return true;
    if (e instanceof Error && connectionMessages.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionFailure(inner))) return true;
  }
  return false;
}
