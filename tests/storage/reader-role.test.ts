import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { enableReaderLogin } from '../../src/storage/reader-role.js';
import { applyShippedCatalog } from '../support/catalog-fixture.js';
import { testDatabaseUrl } from '../support/services.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const backends = await testBackends();

describe.runIf(backends.includes('postgres'))('the read-only role for Grafana', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('postgres', 'reader');
    await applyShippedCatalog(t.database);
    await enableReaderLogin(t.database.db, 'a-long-password', createLogger({ level: 'silent', pretty: false }));
  });
  afterAll(() => t.drop());

  async function asReader<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const u = new URL(testDatabaseUrl);
    u.username = 'pacer_reader';
    u.password = 'a-long-password';
    u.searchParams.set('options', `-c search_path=${t.schema}`);
    const client = new pg.Client({ connectionString: u.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('logs in and reads targets, observations and evaluations', async () => {
    const rows = await asReader((c) => c.query('select count(*)::int as n from targets'));
    expect(rows.rows[0].n).toBe(18);
    await asReader((c) => c.query('select * from observations, evaluations, target_status_changes limit 1'));
  });

  it('cannot write, and cannot read what it was not granted', async () => {
    await expect(asReader((c) => c.query("delete from targets where id = 'vneid-accounts-40m'"))).rejects.toThrow(
      /permission denied/,
    );
    await expect(asReader((c) => c.query('select * from ingest_batches'))).rejects.toThrow(/permission denied/);
    expect((await t.database.db.selectFrom('targets').select('id').execute()).length).toBe(18);
  });
});
