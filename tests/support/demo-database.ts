import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/env-schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPacer, type PacerServices } from '../../src/main.js';
import type { Database } from '../../src/storage/database.js';
import { testDatabaseUrl } from './services.js';
import { createSchema, dropSchema, openTestDatabase, schemaUrl, uniqueSchema, type Backend } from './test-database.js';

const silent = () => createLogger({ level: 'silent', pretty: false });

/**
 * An open Pacer on its own schema (PostgreSQL) or in-memory PGlite, prepared as `pacer start`
 * prepares it: the shipped catalog applied and the Scheme 06 figures loaded.
 */
export async function openDemoPacer(
  backend: Backend,
  prefix: string,
): Promise<{ services: PacerServices; database: Database; drop(): Promise<void> }> {
  const t = await openTestDatabase(backend, prefix);
  const config = loadConfig(
    backend === 'postgres' ? { DATABASE_URL: testDatabaseUrl } : { PACER_DATA_DIR: 'memory://' },
  );
  const pacer = await openPacer(config, silent(), { database: t.database });
  await pacer.prepare();
  return {
    services: pacer.services,
    database: t.database,
    async drop() {
      await pacer.stop();
      await t.drop();
    },
  };
}

/**
 * The same, for child processes: the environment (DATABASE_URL on a fresh schema, or a
 * PACER_DATA_DIR) of a database that `pacer` commands find prepared.
 */
export async function prepareDemoDatabase(
  backend: Backend,
  prefix: string,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  if (backend === 'postgres') {
    const schema = uniqueSchema(prefix);
    await createSchema(schema);
    env = { DATABASE_URL: schemaUrl(schema) };
    drop = () => dropSchema(schema);
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), `pacer-${prefix}-`));
    env = { PACER_DATA_DIR: dir };
    drop = () => rm(dir, { recursive: true, force: true });
  }
  const pacer = await openPacer(loadConfig(env), silent());
  try {
    await pacer.prepare();
  } finally {
    await pacer.stop();
  }
  return { env, drop };
}
