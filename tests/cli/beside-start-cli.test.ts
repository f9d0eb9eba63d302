import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetListSchema } from '../../src/scorecard/scorecard-schema.js';
import { expectGolden } from '../support/golden.js';
import { runPacerCli, startPacer, type RunningChild } from '../support/pacer-process.js';

const admin = 'beside-admin-token-0123456789abcdef';

/**
 * `npm start` on the embedded database holds it; every other command reaches it through the
 * socket the server shares in its data directory. Needs no service: PGlite only.
 */
// Each command is a process of its own that loads Pacer: on a busy 2-core machine a test runs several minutes.
describe('every pacer command beside a running pacer start on the embedded database', { timeout: 400_000 }, () => {
  let dir: string;
  let dataDir: string;
  let running: RunningChild;
  let env: Record<string, string>;
  let note: string;
  // Generous: several commands may load at once on a busy machine; a deadlock would still end in a failure.
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runPacerCli(args, { ...env, ...extra }, { timeoutMs: 300_000 });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-beside-'));
    dataDir = path.join(dir, 'data');
    // A first start creates the database and loads the catalog: slow on a busy machine.
    running = await startPacer({ PACER_DATA_DIR: dataDir, PACER_ADMIN_TOKEN: admin }, { readyWithinMs: 110_000 });
    env = { PACER_DATA_DIR: dataDir, PORT: String(running.port) };
    note =
      `note: the embedded database in ${dataDir} is in use by process ${running.child.pid}; ` +
      `working through its socket ${path.join(dataDir, '.s.PGSQL.5432')}\n`;
  });
  afterAll(async () => {
    if (running) {
      expect(await running.stop()).toBe(0);
      // Nothing logged at error level or above, whatever the commands did beside it.
      expect(running.output()).not.toMatch(/"level":(50|60)/);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates, plans and applies the catalog (a real change and back), and reads regions', async () => {
    expect(await cli(['migrate'])).toEqual({
      code: 0,
      stdout: 'database schema is up to date (pglite)\n',
      stderr: note,
    });
    const validate = await cli(['catalog', 'validate']);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^\.\/catalog: valid — 1 directive\(s\), 18 targets, /);

    const noChange = 'No changes: the database matches the catalog.\n';
    expect(await cli(['catalog', 'plan'])).toEqual({ code: 0, stdout: noChange, stderr: note });
    const changed = path.join(dir, 'catalog');
    await cp('catalog', changed, { recursive: true });
    const directive = path.join(changed, 'ct-05-2023.yaml');
    const text = await readFile(directive, 'utf8');
    await writeFile(directive, text.replace('en: 40 million VNeID', 'en: Forty million VNeID'));
    const plan = await cli(['catalog', 'plan', changed]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('targets: +0 ~1 -0\n  ~ vneid-accounts-40m: title\n');
    const apply = await cli(['catalog', 'apply', changed]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('  ~ vneid-accounts-40m: title\n');
    // The server reads what the command wrote, once it has loaded the evaluation the command stored.
    await expect
      .poll(async () => (await fetch(`${running.baseUrl}/v1/targets/vneid-accounts-40m`)).text(), { timeout: 60_000 })
      .toContain('Forty million VNeID');
    const back = await cli(['catalog', 'apply']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('  ~ vneid-accounts-40m: title\n');
    expect(await cli(['catalog', 'apply'])).toEqual({ code: 0, stdout: noChange, stderr: note });

    const summary = await cli(['regions', 'summary']);
    expect(summary).toMatchObject({ code: 0, stderr: note });
    expect(summary.stdout).toMatch(/^SET\s+LEVEL\s+VALID FROM\s+VALID UNTIL\s+UNITS\s+WITH SUCCESSORS\n/);
    expect(summary.stdout).toMatch(/^vn\s+province\s+—\s+2025-06-30\s+63\s+63$/m);
    const successors = await cli(['regions', 'successors', '--level', 'province', '--at', '2025-07-01']);
    expect(successors).toMatchObject({ code: 0, stderr: note });
    expect(successors.stdout.trim().split('\n')).toHaveLength(1 + 63);
    expect(successors.stdout).toMatch(/^CODE\s+NAME\s+SUCCESSOR\s+SUCCESSOR NAME\s+KIND\n/);
    expect(successors.stdout).toMatch(/^74\s+Tỉnh Bình Dương\s+79\s+Thành phố Hồ Chí Minh\s+full$/m);
  });

  it('evaluates (and saves), and prints the scorecard through the socket, the same document as the API', async () => {
    const evaluated = await cli(['evaluate', '--at', '2023-06-30', '--json', '--save']);
    expect(evaluated).toMatchObject({ code: 0, stderr: note });
    const snapshot = JSON.parse(evaluated.stdout) as { as_of: string; targets: { target: string; status: string }[] };
    expect(snapshot.as_of).toBe('2023-06-30T16:59:59.999Z'); // the end of 30 June in Asia/Ho_Chi_Minh
    expect(snapshot.targets).toHaveLength(18);
    expect(snapshot.targets.find((t) => t.target === 'vneid-accounts-40m')?.status).toBe('off_track');

    const status = await cli(['status', '--at', '2023-06-30', '--json']);
    expect(status).toMatchObject({ code: 0, stderr: note });
    await expectGolden('tests/cli/golden/status-2023-06-30.json', `${status.stdout}\n`);
    const table = await cli(['status', '--at', '2023-06-30']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Off track\s+vneid-accounts-40m\s+4\.8%/m);

    const out = path.join(dir, 'dashboards');
    const generated = await cli(['generate', '--out', out]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(await readFile(path.join(out, 'prometheus', 'pacer-rules.yml'), 'utf8')).toContain('kpi_target_status');
    const check = await cli(['generate', '--check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("runs the README's mic-subscribers-http example feed and the Scheme 06 feed with pacer jobs run", async () => {
    const partner = http.createServer((req, res) => {
      if (req.headers.authorization !== 'secret') return void res.writeHead(401).end();
      void readFile('jobs/examples/mic-subscribers.json').then((body) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(body),
      );
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    try {
      const jobs = path.join(dir, 'jobs');
      await cp('jobs', jobs, { recursive: true });
      const feed = path.join(jobs, 'mic-subscribers-http.yaml');
      const port = (partner.address() as AddressInfo).port;
      await writeFile(feed, (await readFile(feed, 'utf8')).replace('127.0.0.1:8787', `127.0.0.1:${port}`));
      const jobsEnv = { PACER_JOBS_DIR: jobs, MIC_API_TOKEN: 'secret' };

      const validate = await cli(['jobs', 'validate'], jobsEnv);
      expect(validate.code, validate.stderr).toBe(0);
      expect(validate.stdout).toContain(`${jobs}: valid — 2 feed(s), 1 enabled`);

      const mic = await cli(['jobs', 'run', 'mic-subscribers-http'], jobsEnv);
      expect(mic).toMatchObject({ code: 0, stderr: note });
      expect(mic.stdout).toMatch(/^mic-subscribers-http: run \d+ succeeded in \d+ ms — received [1-9]\d*, /);
      const scheme06 = await cli(['jobs', 'run', 'scheme06-figures', '--json']);
      expect(scheme06).toMatchObject({ code: 0, stderr: note });
      expect(JSON.parse(scheme06.stdout)).toMatchObject({
        outcome: 'succeeded',
        counts: { received: 32, inserted: 0, unchanged: 32 },
      });
      // The server sees the manual runs in its feed list.
      const feeds = (await (await fetch(`${running.baseUrl}/v1/feeds`)).json()) as {
        items: { id: string; last_run: { trigger: string; status: string } | null }[];
      };
      expect(feeds.items.find((f) => f.id === 'scheme06-figures')?.last_run).toMatchObject({
        trigger: 'manual',
        status: 'succeeded',
      });
    } finally {
      await new Promise((resolve) => partner.close(resolve));
    }
  });

  it('creates, lists and revokes tokens in the database the server reads: pushes work at once, then stop', async () => {
    const created = await cli(['token', 'create', '--feed', 'ops', '--role', 'writer', '--indicators', 'chip_id_*']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain(note);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pcr_[A-Za-z0-9_-]{43}$/);
    const list = await cli(['token', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: note });
    const line = list.stdout.split('\n').find((l) => l.includes(`${token.slice(0, 12)}…`));
    expect(line).toMatch(/^\d+\tops\twriter of chip_id_\*\t/);
    const id = line!.split('\t')[0]!;

    const file = path.join(dir, 'values.csv');
    await writeFile(file, 'indicator,region,observed_at,value\nchip_id_cards_issued,79,2025-07-01,5\n');
    const pushed = await runPacerCli(['push', file, '--url', running.baseUrl, '--token', token]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain('received 1, inserted 1, updated 0, unchanged 0, rejected 0');

    const revoked = await cli(['token', 'revoke', id]);
    expect(revoked).toMatchObject({ code: 0, stderr: note });
    expect(revoked.stdout).toContain(`token ${id} (ops, ${token.slice(0, 12)}…) revoked at`);
    const refused = await runPacerCli(['push', file, '--url', running.baseUrl, '--token', token]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was revoked');

    // Through the server's API, as before, still works too.
    const remote = await runPacerCli(['token', 'list', '--url', running.baseUrl, '--token', admin]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toContain(`${id}\tops\t`);
  });

  it('neither corrupts nor blocks: CLI writes beside a server ingesting and evaluating finish and agree', async () => {
    const writer = (await cli(['token', 'create', '--feed', 'load', '--role', 'writer'])).stdout.trim();
    const body = (day: number) =>
      Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({
          indicator: 'chip_id_cards_issued',
          region: '79',
          observed_at: `2025-08-${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00`,
          value: day * 1000 + i,
          dims: { n: String(i) },
        }),
      ).join('\n');
    // The server's side: batches (each asks for an evaluation) and scorecards evaluated on the fly.
    const server = (async () => {
      const answers: number[] = [];
      for (let day = 1; day <= 12; day++) {
        const push = await fetch(`${running.baseUrl}/v1/observations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/x-ndjson' },
          body: body(day),
        });
        answers.push(push.status);
        // Dates from March 2023: the directive was issued on 23 February, and earlier ones are refused.
        const targets = await fetch(`${running.baseUrl}/v1/targets?at=2023-0${(day % 7) + 3}-15`);
        answers.push(targets.status);
        if (targets.ok) targetListSchema.parse(await targets.json());
      }
      return answers;
    })();
    // The commands' side, at the same time: writes in transactions of their own.
    const commands = Promise.all([
      cli(['token', 'create', '--feed', 'beside']),
      cli(['evaluate', '--save']),
      cli(['catalog', 'apply']),
    ]);
    const [answers, results] = await Promise.all([server, commands]);
    expect(answers.every((s) => s === 200)).toBe(true);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(note);
    }
    expect(results[0]!.stdout).toMatch(/^pcr_/);
    expect(results[1]!.stdout).toMatch(/^Missed\s+vneid-accounts-40m\s/m);
    expect(results[2]!.stdout).toBe('No changes: the database matches the catalog.\n');

    const tokens = await cli(['token', 'list']);
    expect(tokens.stdout).toMatch(/\tbeside\twriter of all indicators\t/);
    const batches = (await (await fetch(`${running.baseUrl}/v1/batches?feed=load`)).json()) as {
      items: { inserted: number; status: string }[];
    };
    expect(batches.items).toHaveLength(12);
    expect(batches.items.every((b) => b.status === 'committed' && b.inserted === 200)).toBe(true);
    const ready = await fetch(`${running.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    // The session is not left inside anyone's transaction: a write from a command still lands.
    const last = await cli(['token', 'create', '--feed', 'after']);
    expect(last.code, last.stderr).toBe(0);
  });
});
