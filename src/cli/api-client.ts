import {
  ConflictError,
  ForbiddenError,
  InputError,
  NotFoundError,
  PacerError,
  UnauthorizedError,
  UnavailableError,
  type InputIssue,
} from '../errors/pacer-error.js';

/** An HTTP response's error body, as error-mapping.ts writes it. */
interface ErrorBody {
  error?: { code?: string; message?: string; issues?: InputIssue[]; issues_total?: number };
}

/**
 * A small client of Pacer's HTTP API for the CLI. Error responses become the same typed errors
 * the server raised, so the CLI reports them (and picks exit codes) like local ones.
 */
export class ApiClient {
  readonly baseUrl: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  /** A raw request (streamed bodies); the caller checks the status. */
  async fetch(path: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    try {
      return await fetch(`${this.baseUrl}${path}`, { ...init, headers });
    } catch (cause) {
      const detail = (cause as { cause?: { code?: string; message?: string } }).cause;
      throw new UnavailableError(
        `cannot reach Pacer at ${this.baseUrl}: ${detail?.code ?? detail?.message ?? (cause as Error).message}`,
        { cause, code: 'api_unreachable' },
      );
    }
  }
}

/** The typed error for an HTTP error response. */
export async function errorOf(response: Response): Promise<PacerError> {
  const text = await response.text().catch(() => '');
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // not JSON: a proxy's page, say
  }
  const code = body.error?.code ?? `http_${response.status}`;
  const message =
    body.error?.message ?? `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const status = response.status;
  if (status === 401) return new UnauthorizedError(message, { code });
  if (status === 403) return new ForbiddenError(message, { code });
  if (status === 404) return new NotFoundError(message);
  if (status === 409 || status === 422) return new ConflictError(message, { code });
  if (status === 429 || status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new UnavailableError(message, {
      code,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }
  return new InputError(message, body.error?.issues ?? [], { code, issuesTotal: body.error?.issues_total });
}
