import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacerCli, startPacer, type RunningChild } from '../support/pacer-process.js';
import { createSchema, dropSchema, schemaUrl, testBackends, uniqueSchema } from '../support/test-database.js';

const backends = await testBackends();
const admin = 'cli-admin-token-0123456789abcdef';
let dir: string;
const communes = (await readFile('catalog/regions/vn/communes.csv', 'utf8'))
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',')[0]!);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pacer-push-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A CSV of `n` valid rows (unique keys), then `bad` rows with an unknown region. */
async function csvFile(name: string, n: number, bad: number[] = []): Promise<string> {
  const lines = ['indicator,region,observed_at,value'];
  for (let i = 0; i < n; i++)
    lines.push(
      `chip_id_cards_issued,${communes[i % communes.length]},` +
        `${new Date(Date.UTC(2025, 6, 1 + Math.floor(i / communes.length))).toISOString().slice(0, 10)},${i}`,
    );
  for (const at of bad) lines.splice(at - 1, 0, `chip_id_cards_issued,XX${at},2025-07-01,1`);
  const file = path.join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe.runIf(backends.includes('postgres'))('pacer push and pacer token on PostgreSQL', () => {
  let schema: string;
  let api: RunningChild;
  let env: Record<string, string>;
  beforeAll(async () => {
    schema = uniqueSchema('push_cli');
    await createSchema(schema);
    env = { DATABASE_URL: schemaUrl(schema) };
    api = await startPacer(
      { ...env, PACER_DEMO_DATA: 'false', PACER_ADMIN_TOKEN: admin },
      { args: ['--roles', 'api'] },
    );
  });
  afterAll(async () => {
    await api.stop();
    await dropSchema(schema);
  });

  it(
    'creates a token printed once on stdout, lists it by prefix only, ' +
      'pushes a 200,000-row CSV with progress, and revokes it',
    async () => {
      const created = await runPacerCli(
        ['token', 'create', '--feed', 'gso', '--role', 'writer', '--indicators', 'chip_id_*,bogus_*'],
        env,
      );
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^pcr_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toContain('warning: --indicators pattern "bogus_*" matches no indicator');
      expect(created.stderr).toContain('it is not shown again');

      const list = await runPacerCli(['token', 'list'], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^ID\tFEED\tROLE\tPREFIX\tCREATED\tLAST USED\tSTATE\n/);
      expect(list.stdout).toContain(`gso\twriter of chip_id_*,bogus_*\t${token.slice(0, 12)}…`);
      expect(list.stdout).not.toContain(token);

      const file = await csvFile('big.csv', 200_000);
      const pushed = await runPacerCli(
        ['push', file, '--url', api.baseUrl, '--token', token, '--progress'],
        {},
        { timeoutMs: 120_000 },
      );
      expect(pushed.stderr).toMatch(/\[#+\.*\] +\d+% [\d.]+\/[\d.]+ MB [\d,]+ rows/);
      expect(pushed.stderr).toMatch(/\[#{30}\] 100% .* 200,000 rows .*sent, waiting for the summary/);
      expect(pushed.stdout).toMatch(
        new RegExp(
          `^${file}: batch \\d+ — received 200,000, inserted 200,000, ` +
            `updated 0, unchanged 0, rejected 0 in [\\d.]+ s\\n$`,
        ),
      );
      expect(pushed.code).toBe(0);

      const again = await runPacerCli(
        ['push', file, '--url', api.baseUrl, '--token', token],
        {},
        { timeoutMs: 120_000 },
      );
      expect(again.stdout).toContain('received 200,000, inserted 0, updated 0, unchanged 200,000, rejected 0');
      expect(again.code).toBe(0);

      const id = /^(\d+)\t/m.exec(list.stdout)![1]!;
      const revoked = await runPacerCli(['token', 'revoke', id, '--url', api.baseUrl, '--token', admin], {});
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`token ${id} (gso, ${token.slice(0, 12)}…) revoked at`);
      const refused = await runPacerCli(['push', file, '--url', api.baseUrl, '--token', token], {});
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('was revoked');
    },
  );

  it('exits 1 and prints file:line field: message for rejected records, in both modes', async () => {
    const token = (await runPacerCli(['token', 'create', '--feed', 'gso2', '--role', 'writer'], env)).stdout.trim();
    const file = await csvFile('bad.csv', 50, [5, 20]);
    const atomic = await runPacerCli(['push', file, '--url', api.baseUrl, '--token', token], {});
    expect(atomic.code).toBe(1);
    expect(atomic.stderr).toContain(`${file}:5 region: unknown region "XX5"`);
    expect(atomic.stderr).toContain(`${file}:20 region: unknown region "XX20"`);
    expect(atomic.stdout).toBe('');

    const partial = await runPacerCli(['push', file, '--url', api.baseUrl, '--token', token, '--mode', 'partial'], {});
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/received 52, inserted \d+, updated 0, unchanged \d+, rejected 2/);
    expect(partial.stderr.trim().split('\n')).toEqual([
      `${file}:5 region: unknown region "XX5"`,
      `${file}:20 region: unknown region "XX20"`,
    ]);
  });

  it('exits 2 with a clear message when the API cannot be reached, after its retries', async () => {
    const file = await csvFile('small.csv', 3);
    const result = await runPacerCli(
      ['push', file, '--url', 'http://127.0.0.1:1', '--token', 'x', '--retries', '1'],
      {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach Pacer at http://127.0.0.1:1');
    expect(result.stderr).toContain('retrying in 1 s (1/1, same Idempotency-Key)');
  });
});

describe('pacer token beside npm start on the embedded database', () => {
  it("creates tokens in the running server's database: by its API with an admin token, or its socket", async () => {
    const dataDir = await mkdtemp(path.join(dir, 'pglite-'));
    const api = await startPacer(
      { PACER_DATA_DIR: dataDir, PACER_ADMIN_TOKEN: admin, PACER_DEMO_DATA: 'false' },
      { readyWithinMs: 110_000 },
    );
    try {
      const created = await runPacerCli(['token', 'create', '--feed', 'ops', '--role', 'writer'], {
        PACER_URL: api.baseUrl,
        PACER_TOKEN: admin,
      });
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      const file = await csvFile('pglite.csv', 1_000);
      const pushed = await runPacerCli(['push', file], { PACER_URL: api.baseUrl, PACER_TOKEN: token });
      expect(pushed.stdout).toContain('received 1,000, inserted 1,000');
      expect(pushed.code).toBe(0);

      const direct = await runPacerCli(['token', 'create', '--feed', 'ops-direct'], { PACER_DATA_DIR: dataDir });
      expect(direct.code, direct.stderr).toBe(0);
      expect(direct.stderr).toContain(`in use by process ${api.child.pid}; working through its socket`);
      const viaSocket = await runPacerCli(['push', file], {
        PACER_URL: api.baseUrl,
        PACER_TOKEN: direct.stdout.trim(),
      });
      expect(viaSocket.stdout).toContain('received 1,000, inserted 0, updated 0, unchanged 1,000');
      expect(viaSocket.code).toBe(0);
    } finally {
      expect(await api.stop()).toBe(0);
    }
  }, 300_000);
});
