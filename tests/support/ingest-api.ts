import { sql } from 'kysely';
import { loadConfig } from '../../src/config/env-schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPacer, type PacerServices } from '../../src/main.js';
import type { RoleName } from '../../src/roles/role.js';
import type { Database } from '../../src/storage/database.js';
import { testDatabaseUrl } from './services.js';
import { openTestDatabase, type Backend } from './test-database.js';

export const adminToken = 'test-admin-token-0123456789abcdef';

export interface IngestApi {
  services: PacerServices;
  /** The test's own handle on the database the server writes to, for looking at what it stored. */
  database: Database;
  baseUrl: string;
  backend: Backend;
  /** A new token of `role`; writers limited to `indicators` when given. */
  token(role?: 'reader' | 'writer' | 'admin', indicators?: string[]): Promise<string>;
  push(body: string | Uint8Array, options?: PushOptions): Promise<Response>;
  /** Rows, value sum and batches: what "the table is unchanged" compares. */
  fingerprint(): Promise<{ observations: number; sum: number; revisions: number; batches: number }>;
  close(): Promise<void>;
}

export interface PushOptions {
  token?: string | null;
  contentType?: string;
  mode?: string;
  key?: string;
  headers?: Record<string, string>;
}

/**
 * The real API (every route main.ts wires) on a real database, in this process, listening on a
 * free port: PostgreSQL in the test file's own schema, or an in-memory PGlite. The shipped catalog
 * is applied; no demo data.
 */
export async function startIngestApi(
  backend: Backend,
  prefix: string,
  env: Record<string, string> = {},
  roles: RoleName[] = ['api'],
): Promise<IngestApi> {
  const t = await openTestDatabase(backend, prefix);
  const config = loadConfig({
    ...(backend === 'postgres' ? { DATABASE_URL: testDatabaseUrl } : { PACER_DATA_DIR: 'memory://' }),
    PACER_DEMO_DATA: 'false',
    PACER_ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  // The roles exactly as `pacer start --roles api` builds them: every feature's routes.
  const pacer = await openPacer(config, logger, { roles, database: t.database });
  await pacer.prepare();
  await pacer.start();
  const baseUrl = `http://127.0.0.1:${pacer.roles.api!.port}`;
  const pacerServices = pacer.services;
  let defaultWriter: string | undefined;
  const api: IngestApi = {
    services: pacerServices,
    database: t.database,
    baseUrl,
    backend,
    async token(role = 'writer', indicators) {
      return (await pacerServices.tokens.create({ feed: `test-${role}`, role, indicators })).token;
    },
    async push(body, options = {}) {
      const token = options.token === undefined ? (defaultWriter ??= await api.token('writer')) : options.token;
      const headers: Record<string, string> = {
        'content-type': options.contentType ?? 'application/x-ndjson',
        ...options.headers,
      };
      if (token) headers.authorization = `Bearer ${token}`;
      if (options.key) headers['idempotency-key'] = options.key;
      return fetch(`${baseUrl}/v1/observations${options.mode ? `?mode=${options.mode}` : ''}`, {
        method: 'POST',
        headers,
        body,
      });
    },
    async fingerprint() {
      const { rows } = await sql<{ observations: number; sum: number; revisions: number; batches: number }>`
        select (select count(*)::int from observations) as observations,
               (select coalesce(sum(value), 0)::float8 from observations) as sum,
               (select count(*)::int from observation_revisions) as revisions,
               (select count(*)::int from ingest_batches) as batches`.execute(t.database.db);
      return rows[0]!;
    },
    async close() {
      await pacer.stop();
      await t.drop();
    },
  };
  return api;
}

/** NDJSON of `n` valid records over current communes and days from 2025-07-01 (keys unique). */
export async function validNdjson(
  api: IngestApi,
  n: number,
  value: (i: number) => number = (i) => i,
  indicator = 'vneid_accounts_issued',
): Promise<string> {
  const codes = await currentCommunes(api);
  let out = '';
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2025, 6, 1 + Math.floor(i / codes.length))).toISOString().slice(0, 10);
    out += `${JSON.stringify({ indicator, region: codes[i % codes.length], observed_at: day, value: value(i) })}\n`;
  }
  return out;
}

let communes: string[] | undefined;
export async function currentCommunes(api: IngestApi): Promise<string[]> {
  communes ??= (
    await api.database.db
      .selectFrom('regions')
      .select('code')
      .where('level', '=', 'commune')
      .where('valid_from', 'is not', null)
      .orderBy('code')
      .execute()
  ).map((r) => r.code);
  return communes;
}

/** A response body as tests look into it: loosely typed JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into response bodies freely
export type Json = any;
export async function readJson(response: Response): Promise<Json> {
  return response.json();
}
