import type { Selectable, Kysely } from 'kysely';
import type { Role, TokenRecord, TokenStore } from './token-store.js';
import type { ApiTokensTable, DB } from '../storage/database-schema.js';

/** {@link TokenStore} over the api_tokens table. */
export class TokenRepository implements TokenStore {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(token: {
    feed: string;
    role: Role;
    indicators: string[] | null;
    hash: string;
    prefix: string;
  }): Promise<TokenRecord> {
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        feed: token.feed,
        role: token.role,
        indicators: token.indicators,
        token_hash: token.hash,
        token_prefix: token.prefix,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return record(row);
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async list(): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(record);
  }

  async revoke(id: number): Promise<TokenRecord | undefined> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

function record(row: Selectable<ApiTokensTable>): TokenRecord {
  return {
    id: row.id,
    feed: row.feed,
    role: row.role,
    indicators: row.indicators,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
