import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDir, removeTempDirs, tempDir, writeFeed } from '../support/feed-fixtures.js';
import { freePort, runPacerCli } from '../support/pacer-process.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const backends = await testBackends();
const unreachable = 'postgres://u:secret@127.0.0.1:1/x';

/** What an operator should see: one line naming the variable and the host, the password hidden, no stack. */
function expectOneClearLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: .*DATABASE_URL/);
  expect(lines[0]).toContain('postgres://u:***@127.0.0.1:1/x');
  expect(stderr).not.toContain('secret');
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('commands against a PostgreSQL that cannot be reached', () => {
  it('pacer migrate exits 2 with one line naming DATABASE_URL and its host, password hidden', async () => {
    const result = await runPacerCli(['migrate'], { DATABASE_URL: unreachable });
    expect(result.code).toBe(2);
    expectOneClearLine(result.stderr);
  });

  it('pacer start exits 2 with one line naming DATABASE_URL and its host, password hidden', async () => {
    const result = await runPacerCli(['start', '--roles', 'worker'], { DATABASE_URL: unreachable });
    expect(result.code).toBe(2);
    expectOneClearLine(result.stderr);
  });
});

describe.runIf(backends.includes('postgres'))('pacer jobs run of a feed whose source cannot be reached', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('postgres', 'jobs_unreachable');
  });
  afterAll(async () => {
    await db?.drop();
    await removeTempDirs();
  });

  it('prints its own message and no JSON log line, and exits 2', async () => {
    const jobsDir = await tempDir();
    const closed = await freePort();
    const source = { type: 'http', url: `http://127.0.0.1:${closed}/figures`, format: 'ndjson' };
    await writeFeed(jobsDir, { id: 'offline', schedule: { cron: '0 6 * * *', timezone: 'UTC' }, source });
    // As an operator runs it: no LOG_LEVEL (the helper's default sets one).
    const env = {
      ...{ DATABASE_URL: db.url, PACER_JOBS_DIR: jobsDir, PACER_CATALOG_DIR: catalogDir, PACER_DEMO_DATA: 'false' },
      LOG_LEVEL: undefined,
    };
    const result = await runPacerCli(['jobs', 'run', 'offline'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: offline: run \d+ failed: /);
    expect(result.stderr).not.toMatch(/^\{/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
