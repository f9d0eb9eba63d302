import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrator.js';
import { postgresReachable, servicesRequired, testDatabaseUrl } from './services.js';

export type Backend = 'postgres' | 'pglite';

/**
 * The backends database tests run on: the real PostgreSQL and PGlite. Without a reachable
 * PostgreSQL only PGlite, unless PACER_REQUIRE_SERVICES=1, which makes that an error.
 */
export async function testBackends(): Promise<Backend[]> {
  if (await postgresReachable()) return ['postgres', 'pglite'];
  if (servicesRequired) throw new Error(`PostgreSQL required but not reachable at ${testDatabaseUrl}`);
  return ['pglite'];
}

/** The real PostgreSQL when reachable (PGlite otherwise, unless services are required). */
export async function defaultBackend(): Promise<Backend> {
  return (await testBackends())[0]!;
}

export interface TestDatabase {
  database: Database;
  backend: Backend;
  /** The schema this test file owns (PostgreSQL), for child processes: a DATABASE_URL that lands in it. */
  url?: string;
  schema: string;
  drop(): Promise<void>;
}

export function uniqueSchema(prefix: string): string {
  return `t_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

/** A fresh, migrated database in its own schema (PostgreSQL) or its own in-memory instance (PGlite). */
export async function openTestDatabase(
  backend: Backend,
  prefix: string,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const schema = uniqueSchema(prefix);
  const database = await createDatabase(
    backend === 'postgres' ? { url: testDatabaseUrl, schema, poolMax: 4 } : { dataDir: 'memory://', schema },
  );
  if (options.migrate !== false) await migrateToLatest(database.db);
  return {
    database,
    backend,
    schema,
    url: backend === 'postgres' ? schemaUrl(schema) : undefined,
    async drop() {
      await database.close();
      if (backend === 'postgres') await dropSchema(schema);
    },
  };
}

/** A DATABASE_URL whose connections use `schema` first on their search path. */
export function schemaUrl(schema: string): string {
  const u = new URL(testDatabaseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function createSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
