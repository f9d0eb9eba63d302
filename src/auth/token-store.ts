/** What a token may do: readers read, writers also push (within their indicator scope), admins also manage tokens. */
export const roles = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof roles)[number];

/** A token as stored: never the token itself, only its hash and first characters. */
export interface TokenRecord {
  id: number;
  feed: string;
  role: Role;
  /** Indicator id patterns a writer may write; null: all. */
  indicators: string[] | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Storage of API tokens; implemented in `token-repository.ts`. */
export interface TokenStore {
  insert(token: {
    feed: string;
    role: Role;
    indicators: string[] | null;
    hash: string;
    prefix: string;
  }): Promise<TokenRecord>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  /** Marks the token revoked (idempotent); undefined when there is no such token. */
  revoke(id: number): Promise<TokenRecord | undefined>;
  touch(id: number, at: Date): Promise<void>;
}
