/**
 * Pacer's few typed errors. Each carries a stable machine-readable `code` (part of the public
 * contract: HTTP bodies and CLI output show it) and the underlying `cause` when there is one.
 * How an error becomes an HTTP status or an exit code is decided in one place: `error-mapping.ts`.
 */

/** One problem found in user input, located as precisely as the input allows. */
export interface InputIssue {
  /** Stable machine code of this kind of problem, e.g. `unknown_indicator`. */
  code: string;
  message: string;
  /** File the problem is in, relative to where the user pointed us. */
  file?: string;
  /** 1-based line in the file or request body. */
  line?: number;
  /** Field or YAML path, e.g. `targets[3].due`. */
  field?: string;
}

export abstract class PacerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** User input (a catalog, a request body, a CLI argument, an environment variable) is invalid. */
export class InputError extends PacerError {
  readonly code: string;
  readonly issues: InputIssue[];
  /** How many issues there are in all, when `issues` lists only the first ones. */
  readonly issuesTotal: number;

  constructor(
    message: string,
    issues: InputIssue[] = [],
    options?: { cause?: unknown; code?: string; issuesTotal?: number },
  ) {
    super(message, options);
    this.code = options?.code ?? 'invalid_input';
    this.issues = issues;
    this.issuesTotal = options?.issuesTotal ?? issues.length;
  }
}

/** Configuration from the environment is invalid; the process must not start. */
export class ConfigError extends InputError {
  constructor(message: string, issues: InputIssue[] = [], options?: { cause?: unknown }) {
    super(message, issues, { ...options, code: 'invalid_config' });
  }
}

/** The caller is not authenticated: no token, an unknown one, or a revoked one. */
export class UnauthorizedError extends PacerError {
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code ?? 'unauthorized';
  }
}

/** The caller is authenticated but may not do this (a reader writing, a writer outside its indicator scope). */
export class ForbiddenError extends PacerError {
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code ?? 'forbidden';
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends PacerError {
  readonly code = 'not_found';
}

/** The request is well-formed but conflicts with what is stored (e.g. pruning data without `--prune`). */
export class ConflictError extends PacerError {
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code ?? 'conflict';
  }
}

/** A dependency (database, Redis) cannot be reached, or Pacer is at capacity; retrying later may succeed. */
export class UnavailableError extends PacerError {
  readonly code: string;
  /** When to retry, if known: HTTP sends it as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string; retryAfterSeconds?: number }) {
    super(message, options);
    this.code = options?.code ?? 'unavailable';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** Formats an issue the way editors and CI logs link it: `file:line field: message`. */
export function formatIssue(issue: InputIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line ? `:${issue.line}` : ''}`
    : issue.line
      ? `line ${issue.line}`
      : '';
  const field = issue.field ? `${issue.field}: ` : '';
  return `${where}${where ? ' ' : ''}${field}${issue.message}`;
}
