import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IndicatorScope, scopePattern } from '../domain/observations/indicator-scope.js';
import { ForbiddenError, InputError, NotFoundError, UnauthorizedError } from '../errors/pacer-error.js';
import { roles, type Role, type TokenRecord, type TokenStore } from './token-store.js';

/** Who is calling: a stored token, or the bootstrap admin token from the environment. */
export interface Principal {
  /** null for the bootstrap admin token. */
  tokenId: number | null;
  feed: string;
  role: Role;
  /** Indicator patterns a writer may write; undefined: all. */
  scope: string[] | undefined;
}

/** What an operation needs, in increasing order of privilege. */
export type Access = 'read' | 'write' | 'admin';
const rank: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };
const needs: Record<Access, Role> = { read: 'reader', write: 'writer', admin: 'admin' };

export const feedPattern = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const TOKEN_PREFIX = 'pcr_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates, checks and revokes API tokens. A token is 256 random bits, shown once; the database
 * keeps its SHA-256 and its first 12 characters. The bootstrap admin token
 * (`PACER_ADMIN_TOKEN`) is compared in constant time and never stored.
 */
export class TokenService {
  private readonly bootstrapHash: Buffer | undefined;
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly store: TokenStore,
    options: { bootstrapAdminToken?: string; onTouchError?: (error: unknown) => void } = {},
  ) {
    this.bootstrapHash = options.bootstrapAdminToken
      ? createHash('sha256').update(options.bootstrapAdminToken).digest()
      : undefined;
    this.onTouchError = options.onTouchError ?? (() => undefined);
  }

  private readonly onTouchError: (error: unknown) => void;

  /**
   * A new token for `feed` with `role` (writers: limited to the indicators matching `indicators`).
   * Returns the token, which is shown once, and which of the patterns match no known indicator.
   */
  async create(
    input: { feed: string; role: string; indicators?: string[] },
    knownIndicators: readonly string[] = [],
  ): Promise<{ token: string; record: TokenRecord; unmatched: string[] }> {
    const issues = [];
    if (!feedPattern.test(input.feed))
      issues.push({
        code: 'invalid_feed',
        field: 'feed',
        message: `expected a feed name of a-z, 0-9, _, - and . (up to 100), got "${input.feed}"`,
      });
    if (!(roles as readonly string[]).includes(input.role))
      issues.push({
        code: 'invalid_role',
        field: 'role',
        message: `expected one of ${roles.join(', ')}, got "${input.role}"`,
      });
    const patterns = input.indicators ?? null;
    if (patterns && input.role !== 'writer')
      issues.push({
        code: 'invalid_scope',
        field: 'indicators',
        message: 'an indicator scope applies to writer tokens only',
      });
    if (patterns && patterns.length === 0)
      issues.push({
        code: 'invalid_scope',
        field: 'indicators',
        message: 'give at least one indicator pattern, or none for all indicators',
      });
    for (const p of patterns ?? [])
      if (!scopePattern.test(p))
        issues.push({
          code: 'invalid_scope',
          field: 'indicators',
          message: `"${p}" is not an indicator id or a pattern with * (a-z, 0-9, _, *)`,
        });
    if (issues.length > 0)
      throw new InputError(`cannot create the token: ${issues.map((i) => i.message).join('; ')}`, issues, {
        code: 'invalid_token_request',
      });
    const unmatched = (patterns ?? []).filter((p) => !knownIndicators.some((id) => new IndicatorScope([p]).allows(id)));
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.insert({
      feed: input.feed,
      role: input.role as Role,
      indicators: patterns,
      hash: hashToken(token),
      prefix: token.slice(0, 12),
    });
    return { token, record, unmatched };
  }

  /** The caller behind an `Authorization` header, if it may do `access`; throws 401 or 403 otherwise. */
  async authorize(authorization: string | undefined, access: Access): Promise<Principal> {
    const principal = await this.authenticate(authorization);
    if (rank[principal.role] < rank[needs[access]]) {
      throw new ForbiddenError(
        `a ${principal.role} token cannot ` +
          `${access === 'write' ? 'write observations' : access === 'admin' ? 'manage tokens' : 'read'}; this needs ` +
          `a ${needs[access]}${needs[access] === 'admin' ? '' : ' or admin'} token`,
        { code: 'forbidden_role' },
      );
    }
    return principal;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization)
      throw new UnauthorizedError('send "Authorization: Bearer <token>"; create a token with pacer token create', {
        code: 'unauthorized',
      });
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new UnauthorizedError('expected "Authorization: Bearer <token>"', { code: 'invalid_token' });
    const presented = match[1]!;
    if (this.bootstrapHash) {
      const hash = createHash('sha256').update(presented).digest();
      if (timingSafeEqual(hash, this.bootstrapHash))
        return { tokenId: null, feed: 'admin', role: 'admin', scope: undefined };
    }
    const record = await this.store.findByHash(hashToken(presented));
    if (!record) throw new UnauthorizedError('unknown token', { code: 'invalid_token' });
    if (record.revokedAt) throw new UnauthorizedError(`token ${record.prefix}… was revoked`, { code: 'token_revoked' });
    this.touch(record.id);
    return { tokenId: record.id, feed: record.feed, role: record.role, scope: record.indicators ?? undefined };
  }

  list(): Promise<TokenRecord[]> {
    return this.store.list();
  }

  async revoke(id: number): Promise<TokenRecord> {
    const record = await this.store.revoke(id);
    if (!record) throw new NotFoundError(`no token ${id}`);
    return record;
  }

  /** Records when a token was last used, at most once a minute per token, without delaying the request. */
  private touch(id: number): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < 60_000) return;
    this.touched.set(id, now);
    this.store.touch(id, new Date(now)).catch(this.onTouchError);
  }
}
