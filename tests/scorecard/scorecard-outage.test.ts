import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env-schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPacer, type Pacer } from '../../src/main.js';
import { createDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrator.js';
import { postgresProxy, type PostgresProxy } from '../support/postgres-proxy.js';
import { postgresReachable, servicesRequired, testDatabaseUrl } from '../support/services.js';
import { dropSchema, uniqueSchema } from '../support/test-database.js';

const postgres = await postgresReachable();
if (!postgres && servicesRequired) throw new Error(`PostgreSQL required but not reachable at ${testDatabaseUrl}`);

// PGlite lives in the process and cannot become unreachable: this is about a PostgreSQL server.
describe.runIf(postgres)('the scorecard while PostgreSQL is unreachable', () => {
  const schema = uniqueSchema('scorecard_outage');
  let proxy: PostgresProxy;
  let database: Database;
  let pacer: Pacer;
  let baseUrl: string;

  beforeAll(async () => {
    proxy = await postgresProxy();
    await proxy.open();
    database = await createDatabase({ url: proxy.url, schema, poolMax: 4 });
    await migrateToLatest(database.db);
    const config = loadConfig({
      DATABASE_URL: proxy.url,
      PACER_DEMO_DATA: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    pacer = await openPacer(config, createLogger({ level: 'silent', pretty: false }), { roles: ['api'], database });
    await pacer.prepare();
    await pacer.start();
    baseUrl = `http://127.0.0.1:${pacer.roles.api!.port}`;
  });
  afterAll(async () => {
    // Back up first, so that the server and the pool shut down cleanly.
    await proxy?.cut();
    await proxy?.open();
    await pacer?.stop();
    await database?.close();
    await dropSchema(schema);
  });

  it('answers the HTML pages with a 503 error page and /v1 with 503 JSON, both with Retry-After', async () => {
    const before = await fetch(`${baseUrl}/`);
    expect(before.status).toBe(200);

    await proxy.cut();

    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('retry-after')).toBe('5');
    const text = await page.text();
    expect(text).toContain('role="alert"');
    expect(text).toContain('The data cannot be read right now');
    expect(text).toContain('retry in 5 seconds');
    expect(text).toContain('<code>database_unavailable</code>');

    const target = await fetch(`${baseUrl}/targets/vneid-accounts-40m`);
    expect(target.status).toBe(503);
    expect(target.headers.get('content-type')).toMatch(/^text\/html/);

    const api = await fetch(`${baseUrl}/v1/targets`);
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
  });
});
