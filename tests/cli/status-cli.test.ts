import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetListSchema } from '../../src/scorecard/scorecard-schema.js';
import { prepareDemoDatabase } from '../support/demo-database.js';
import { expectGolden } from '../support/golden.js';
import { childEnv, freePort, pacerBin, runPacerCli, startPacer } from '../support/pacer-process.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();
const golden = 'tests/cli/golden/status-2023-06-30.json';
const goldenDocument = await readFile(golden, 'utf8');
const esc = '\x1b[';

describe.each(backends)('pacer status on %s', (backend) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ env, drop } = await prepareDemoDatabase(backend, 'status_cli')));
  afterAll(async () => drop?.());

  it('prints the scorecard as JSON: the GET /v1/targets document, the same on every backend (golden)', async () => {
    const result = await runPacerCli(['status', '--at', '2023-06-30', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const list = targetListSchema.parse(JSON.parse(result.stdout));
    expect(list.targets.find((t) => t.target === 'vneid-accounts-40m')).toMatchObject({
      status: 'off_track',
      reason: 'forecast_short',
      projected_completion: '2023-10-27',
    });
    await expectGolden(golden, `${result.stdout}\n`);
  });

  it(
    'prints a table worst first with status text, progress and projection, the explanation ' +
      'indented under each row, exits 0, and colours nothing off a terminal',
    async () => {
      const result = await runPacerCli(['status', '--at', '2023-06-30'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain(esc);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'Directive 05/CT-TTg (2023) on Scheme 06: 18 targets as of 30 Jun 2023 (Asia/Ho_Chi_Minh), worst first',
      );
      expect(lines[1]).toMatch(
        /^STATUS\s+TARGET\s+PROGRESS\s+EXPECTED\s+CURRENT\s+PROJECTED\s+TARGET VALUE\s+COMPLETION\s+DUE$/,
      );
      // Each target takes two lines: its row, then its explanation indented under it.
      expect(lines).toHaveLength(2 + 2 * 18 + 1);
      const rows = lines.slice(2, 2 + 2 * 18).filter((_, i) => i % 2 === 0);
      const explanations = lines.slice(2, 2 + 2 * 18).filter((_, i) => i % 2 === 1);
      // Tasks nobody reported on are no_data, whatever their due date.
      expect(rows.map((l) => l.split(/\s{2,}/)[0])).toEqual([
        ...Array(8).fill('Missed'),
        'Off track',
        ...Array(9).fill('No data'),
      ]);
      for (const explanation of explanations) expect(explanation).toMatch(/^ {2}\S.{20,}\.$/);
      const row = rows.findIndex((l) => l.includes('vneid-accounts-40m'));
      expect(rows[row]).toMatch(
        new RegExp(
          '^Off track\\s+vneid-accounts-40m\\s+4\\.8%\\s+100\\.0%\\s+' +
            '12,500,000\\s+30,777,778\\s+40,000,000\\s+27 Oct 2023\\s+30 Jun 2023$',
        ),
      );
      expect(explanations[row]).toBe(
        '  At 77,778 a day the forecast reaches 30,777,778 of 40,000,000 by 30 Jun 2023 (68.1%): ' +
          'short beyond the 10.0% tolerance.',
      );
      // The expected progress from the end of 30 Sept 2022 to the end of 30 June 2023, of the 457 days to the
      // end of 2023: 273 / 457 = 59.7%.
      expect(rows.find((l) => l.includes('villages-mobile-coverage-266'))).toMatch(
        /^No data\s+villages-mobile-coverage-266\s+0\.0%\s+59\.7%\s+266\s+266\s+≤ 0\s+—\s+31 Dec 2023$/,
      );
      expect(explanations[rows.findIndex((l) => l.includes('mic-egov-architecture'))]).toBe(
        '  No report on this task yet; it is due 30 Sept 2023.',
      );
      expect(lines.at(-1)).toBe('8 missed, 1 off track, 0 at risk, 9 no data, 0 on track, 0 achieved');
    },
  );

  it('speaks Vietnamese with --lang vi or a Vietnamese locale: status names, sentences, numbers and days', async () => {
    const byOption = await runPacerCli(['status', '--at', '2023-06-30', '--lang', 'vi'], env);
    expect(byOption.code, byOption.stderr).toBe(0);
    const byLocale = await runPacerCli(['status', '--at', '2023-06-30'], { ...env, LANG: 'vi_VN.UTF-8' });
    expect(byLocale.stdout).toBe(byOption.stdout);
    const lines = byOption.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Chỉ thị 05/CT-TTg (2023) về Đề án 06: 18 chỉ tiêu tính đến 30/06/2023 ' +
        '(Asia/Ho_Chi_Minh), chậm nhất xếp trước',
    );
    const row = lines.findIndex((l) => l.includes('vneid-accounts-40m'));
    expect(lines[row]!.split(/\s{2,}/)).toEqual([
      'Chậm tiến độ',
      'vneid-accounts-40m',
      '4,8%',
      '100,0%',
      '12.500.000',
      '30.777.778',
      '40.000.000',
      '27/10/2023',
      '30/06/2023',
    ]);
    expect(lines[row + 1]).toBe(
      '  Theo tốc độ 77.778 mỗi ngày, dự báo đạt 30.777.778/40.000.000 vào 30/06/2023 (68,1%): ' +
        'chưa đạt chỉ tiêu, vượt quá biên độ cho phép 10,0%.',
    );
    expect(lines.at(-1)).toBe(
      '8 không đạt, 1 chậm tiến độ, 0 có nguy cơ chậm, 9 chưa có số liệu, 0 đúng tiến độ, 0 đã đạt',
    );
    // --lang wins over the locale; a language Pacer lacks is refused, naming the option.
    const english = await runPacerCli(['status', '--at', '2023-06-30', '--lang', 'en'], {
      ...env,
      LANG: 'vi_VN.UTF-8',
    });
    expect(english.stdout).toContain('Off track');
    const bad = await runPacerCli(['status', '--lang', 'fr'], env);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('--lang: expected one of en, vi, got "fr"');
  });

  it('colours the status when asked (FORCE_COLOR), keeping the text, and never under NO_COLOR', async () => {
    const coloured = await runPacerCli(['status', '--at', '2023-06-30'], { ...env, FORCE_COLOR: '1' });
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain(`${esc}31mOff track${esc}0m`);
    expect(coloured.stdout).toContain(`${esc}1;31mMissed   ${esc}0m`);
    const plain = await runPacerCli(['status', '--at', '2023-06-30'], { ...env, FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.stdout).not.toContain(esc);
  });

  if (backend === backends[0])
    it('stops quietly with exit 0 when its reader closes early (pacer status | head)', async () => {
      const child = spawn(process.execPath, [pacerBin, 'status', '--at', '2023-06-30'], {
        env: childEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    });

  it('filters by --status and --owner', async () => {
    const result = await runPacerCli(
      [
        'status',
        '--at',
        '2023-06-30',
        '--status',
        'off_track,no_data',
        '--owner',
        'Ministry of Public Security',
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const list = targetListSchema.parse(JSON.parse(result.stdout));
    // The June tasks nobody reported on are no_data (at_risk only with a report of not done).
    expect(list.targets.map((t) => [t.target, t.status])).toEqual([
      ['vneid-accounts-40m', 'off_track'],
      ['ehealth-records-integrated-70pct', 'no_data'],
      ['ehealth-records-on-vneid-30m', 'no_data'],
      ['mps-cashless-payments-support', 'no_data'],
      ['mps-residency-services-online', 'no_data'],
    ]);
    expect(list.total).toBe(18);
  });

  it('rejects a bad --at or --status with exit 1 and one message naming the option', async () => {
    const badDate = await runPacerCli(['status', '--at', '2023-02-30'], env);
    expect(badDate).toMatchObject({ code: 1, stdout: '' });
    expect(badDate.stderr).toContain('error: --at: expected YYYY-MM-DD or an ISO date-time, got "2023-02-30"');
    const badStatus = await runPacerCli(['status', '--status', 'late'], env);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/error: --status: Invalid option: expected one of/);
    // Said once: the message is the option's one issue.
    expect(badStatus.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('pacer status beside a running pacer start on the embedded database', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pacer-status-'));
    dirs.push(dir);
    return dir;
  };

  it("reads the same scorecard through the running server's socket, or from --url", async () => {
    const dataDir = await tempDir();
    const running = await startPacer({ PACER_DATA_DIR: dataDir }, { readyWithinMs: 110_000 });
    try {
      const env = { PACER_DATA_DIR: dataDir, PORT: String(running.port) };
      const json = await runPacerCli(['status', '--at', '2023-06-30', '--json'], env);
      expect(json.code, json.stderr).toBe(0);
      expect(json.stderr).toBe(
        `note: the embedded database in ${dataDir} is in use by process ${running.child.pid}; ` +
          `working through its socket ${path.join(dataDir, '.s.PGSQL.5432')}\n`,
      );
      await expectGolden(golden, `${json.stdout}\n`);

      const table = await runPacerCli(['status', '--at', '2023-06-30'], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^Off track\s+vneid-accounts-40m\s+4\.8%/m);

      const byUrl = await runPacerCli(['status', '--json', '--status', 'missed', '--url', running.baseUrl], {});
      expect(byUrl.code, byUrl.stderr).toBe(0);
      const now = targetListSchema.parse(JSON.parse(byUrl.stdout));
      expect(now.targets).toHaveLength(18); // every Directive 05 deadline is past
      expect(byUrl.stderr).toBe('');

      const badDate = await runPacerCli(['status', '--at', 'June 2023', '--url', running.baseUrl], {});
      expect(badDate.code).toBe(1);
      expect(badDate.stderr).toContain('--at: expected YYYY-MM-DD or an ISO date-time, got "June 2023"');
    } finally {
      expect(await running.stop()).toBe(0);
    }
    // Stopped: the command opens the database itself again.
    const direct = await runPacerCli(['status', '--at', '2023-06-30', '--json'], { PACER_DATA_DIR: dataDir });
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stderr).toBe('');
    await expectGolden(golden, `${direct.stdout}\n`);
  }, 300_000);

  it('falls back to the API of a holder that does not share its database, and exits 2 naming both', async () => {
    const dataDir = await tempDir();
    // This test process stands in for a `pacer start` that holds the database but shares it on no socket.
    await writeFile(path.join(dataDir, 'pacer.lock'), `${process.pid}\n`);
    const api = http.createServer((req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(goldenDocument),
    );
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiPort = (api.address() as AddressInfo).port;
    try {
      const fallback = await runPacerCli(['status', '--json'], { PACER_DATA_DIR: dataDir, PORT: String(apiPort) });
      expect(fallback.code, fallback.stderr).toBe(0);
      expect(fallback.stderr).toBe(
        `note: the embedded database in ${dataDir} is in use by process ${process.pid}, which does not share it ` +
          `(${path.join(dataDir, '.s.PGSQL.5432')}: ENOENT); reading from its API at http://127.0.0.1:${apiPort} ` +
          `(or pass --url)\n`,
      );
      expect(JSON.parse(fallback.stdout)).toEqual(JSON.parse(goldenDocument));
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
    const port = await freePort();
    const result = await runPacerCli(['status'], { PACER_DATA_DIR: dataDir, PORT: String(port) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: the embedded database in ${dataDir} is in use by process ${process.pid}, which does not share it ` +
        `(${path.join(dataDir, '.s.PGSQL.5432')}: ENOENT), and no Pacer API answers at http://127.0.0.1:${port}: ` +
        `connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    const unreachable = await runPacerCli(['status', '--url', `http://127.0.0.1:${port}`], {});
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(
      `error: cannot reach the Pacer API at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});
