import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestSchema, type BacktestDocument } from '../../src/evaluation/backtest-schema.js';
import { runPacerCli, startPacer } from '../support/pacer-process.js';
import { prepareBacktestCatalog } from '../support/backtest-fixture.js';
import { testBackends } from '../support/test-database.js';

/**
 * The synthetic catalog of tests/support/backtest-fixture.ts, whose backtest is computed by hand. Directive issued
 * 2023-01-01 (Asia/Bangkok); every target has baseline 0 on 2022-12-31 and target 300 (`at_least`, default
 * tolerance: at_risk within 30 short); level indicators, so the forecast is the least-squares line of the window.
 * The window is 3 days (PACER_FORECAST_WINDOW_DAYS=3) and each month ends with three values on one line: y − 2s, y −
 * s, y on its last three days. So the evaluation as of a month's end fits that line exactly: projected = y + s ·
 * (days to the deadline), and with no spread the chance to meet is 1 or 0.
 *
 * Steps: --from 2022-12-31 --to 2023-12-31 --every 1mo: 13 month ends. 2022-12-31 is before the issue date and
 * counts for nobody; a step on a deadline does not count for its target.
 *
 * a-achieved, due 2023-06 (deadline 30 Jun): (y, s) = (62, 2), (118, 2), (180, 2), (240, 2), (302, 2), (362, 2)
 *   Jan..Apr: projected 362 (e.g. 240 + 2 · 61), on_track, chance 1; May: 300 on 30 May, achieved (projected 362).
 *   Actual 362. 5 of 5 right, every error 0, Brier 0.
 * b-missed-late-warning, due 2023-06: (62, 2), (118, 2), (180, 2), (200, 2), (230, 2), (240, 1)
 *   Jan..Mar projected 362, Apr 200 + 2 · 61 = 322: on_track, chance 1 (wrong); May 230 + 2 · 30 = 290: at_risk
 *   (10 short), chance 0. Actual 240. 1 of 5 right; warned from 31 May: 30 days. Errors 122/240 (× 3, 150, 122 and
 *   91 days ahead), 82/240 (61), 50/240 (30): MAPE 2.075 / 5 = 0.415. Brier 4 / 5 = 0.8.
 * c-missed-early-warning, due 2023-12 (deadline 31 Dec): nothing in January (no_data); then
 *   Feb (40, 1) → 40 + 306 = 346 on_track; Mar (50, 0.5) → 187.5 off_track; Apr (100, 1) → 345 on_track;
 *   May (110, 0.5) → 217, Jun (120, 0.5) → 212, Jul (130, 0.5) → 206.5, Aug (140, 1) → 262, Sep (170, 1) → 262,
 *   Oct (200, 1) → 261: off_track; Nov (240, 1) → 271: at_risk (29 short). Dec (270, 1): actual 270.
 *   11 steps, 1 no_data, 8 of 10 right; warned from 31 May (April was on_track): 214 days. Errors in 270ths:
 *   76 (306 days ahead), 82.5 (275), 75 (245), 53 (214), 58 (184), 63.5 (153), 8 (122), 8 (92), 9 (61), 1 (30):
 *   MAPE 434 / 270 / 10 = 0.160741. Brier 2 / 10 = 0.2 (chance 1 in February and April).
 * d-undecided, due 2099-12: no value, no_data now: left out.
 *
 * Overall: 21 steps, 1 no_data, 14 of 20 right (0.7). Warned 2 of 2, lead 30 and 214 days: mean and median 122.
 * MAPE by days ahead: under 90: (82 + 50)/240 + (9 + 1)/270 over 6 = 0.097840; 90–179: 3 · 122/240 +
 * (63.5 + 8 + 8)/270 over 9 = 0.202160; 180–364: (76 + 82.5 + 75 + 53 + 58)/270 over 5 = 0.255185; overall
 * 3.682407 / 20 = 0.184120. Brier 6 / 20 = 0.3. Reliability: bin 0–0.1 has 9 steps (chance 0, none achieved),
 * bin 0.9–1 has 11 (chance 1, 5 achieved: 0.454545).
 */
const backends = await testBackends();

describe.each(backends)('pacer backtest on %s', (backend) => {
  let root: string;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let document: BacktestDocument;
  const args = ['backtest', '--from', '2022-12-31', '--to', '2023-12-31', '--every', '1mo'];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pacer-backtest-'));
    ({ env, drop } = await prepareBacktestCatalog(backend, root));
    const result = await runPacerCli([...args, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    document = backtestSchema.parse(JSON.parse(result.stdout));
  });
  afterAll(async () => {
    await drop?.();
    await rm(root, { recursive: true, force: true });
  });

  it('replays 13 monthly steps and scores the three decided targets, leaving the undecided one out', () => {
    expect(document.steps).toHaveLength(13);
    expect(document.steps[0]).toBe('2022-12-31');
    expect(document.steps[1]).toBe('2023-01-31');
    expect(document.steps[2]).toBe('2023-02-28');
    expect(document.steps[12]).toBe('2023-12-31');
    // 2022-12-31 is before the issue date and 2023-12-31 is the last deadline: nothing to evaluate there.
    expect(document.evaluated_steps).toBe(11);
    expect(document.undecided_targets).toBe(1);
    expect(document.timezone).toBe('Asia/Bangkok');
  });

  it('gives each target its hand-computed accuracy, lead time, error and Brier score', () => {
    const byId = Object.fromEntries(document.targets.map((t) => [t.target, t]));
    expect(Object.keys(byId).sort()).toEqual(['a-achieved', 'b-missed-late-warning', 'c-missed-early-warning']);
    expect(byId['a-achieved']).toMatchObject({
      outcome: 'achieved',
      due: '2023-06-30',
      value_at_deadline: 362,
      steps: 5,
      no_data_steps: 0,
      judged_steps: 5,
      correct_steps: 5,
      accuracy: 1,
      warned_from: null,
      lead_days: null,
      mape: 0,
      brier: 0,
    });
    expect(byId['b-missed-late-warning']).toMatchObject({
      outcome: 'missed',
      value_at_deadline: 240,
      steps: 5,
      no_data_steps: 0,
      judged_steps: 5,
      correct_steps: 1,
      accuracy: 0.2,
      warned_from: '2023-05-31',
      lead_days: 30,
      mape: 0.415,
      brier: 0.8,
    });
    expect(byId['c-missed-early-warning']).toMatchObject({
      outcome: 'missed',
      due: '2023-12-31',
      value_at_deadline: 270,
      steps: 11,
      no_data_steps: 1,
      judged_steps: 10,
      correct_steps: 8,
      accuracy: 0.8,
      warned_from: '2023-05-31',
      lead_days: 214,
      mape: 0.160741,
      brier: 0.2,
    });
  });

  it('gives the hand-computed overall figures: accuracy, lead time, MAPE by horizon, Brier and reliability', () => {
    const o = document.overall;
    expect(o).toMatchObject({
      targets: 3,
      achieved: 1,
      missed: 2,
      steps: 21,
      no_data_steps: 1,
      judged_steps: 20,
      correct_steps: 14,
      accuracy: 0.7,
      warned: 2,
      lead_days: { mean: 122, median: 122, min: 30, max: 214 },
      mape: 0.18412,
      error_steps: 20,
      brier: 0.3,
      probability_steps: 20,
    });
    expect(o.horizons).toEqual([
      { from_days: 0, to_days: 90, steps: 6, mape: 0.09784 },
      { from_days: 90, to_days: 180, steps: 9, mape: 0.20216 },
      { from_days: 180, to_days: 365, steps: 5, mape: 0.255185 },
      { from_days: 365, to_days: null, steps: 0, mape: null },
    ]);
    const used = o.reliability.filter((b) => b.steps > 0);
    expect(used).toEqual([
      { from: 0, to: 0.1, steps: 9, mean_predicted: 0, observed_rate: 0 },
      { from: 0.9, to: 1, steps: 11, mean_predicted: 1, observed_rate: 0.454545 },
    ]);
  });

  it('prints a table with a header row, local dates and formatted figures', async () => {
    const result = await runPacerCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      'Backtest: 3 decided targets (1 achieved, 2 missed; 1 undecided left out), 13 steps every 1mo ' +
        'from 2022-12-31 to 2023-12-31 (Asia/Bangkok), each as known then',
    );
    expect(lines[2]).toMatch(/^TARGET\s+OUTCOME\s+DUE\s+STEPS\s+NO DATA\s+RIGHT\s+ACCURACY\s+WARNED FROM\s+LEAD DAYS/);
    expect(lines.find((l) => l.startsWith('c-missed-early-warning'))).toMatch(
      new RegExp(
        '^c-missed-early-warning\\s+missed\\s+2023-12-31\\s+11\\s+1\\s+8 of 10\\s+80\\.0%\\s+2023-05-31\\s+214\\s+270' +
          '\\s+16\\.1%\\s+0\\.200$',
      ),
    );
    expect(lines.find((l) => l.startsWith('ALL'))).toMatch(
      /^ALL\s+21\s+1\s+14 of 20\s+70\.0%\s+122\s+18\.4%\s+0\.300$/,
    );
    expect(result.stdout).toContain(
      'Warnings: 2 of 2 missed targets were warned until their deadline: lead time 122 days on average ' +
        '(median 122, 30 to 214).',
    );
    expect(lines.find((l) => l.startsWith('90-179 days'))).toMatch(/^90-179 days\s+9\s+20\.2%$/);
  });

  it('refuses a step it cannot read with exit code 1 and the option named', async () => {
    const result = await runPacerCli(['backtest', '--every', '1y'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('every: expected a step such as 1mo, 3mo, 2w or 7d, got "1y"');
  });

  it('serves the same figures at GET /v1/backtest and the page /backtest with its reliability chart', async () => {
    const server = await startPacer(env);
    try {
      const query = '?from=2022-12-31&to=2023-12-31&every=1mo';
      const api = backtestSchema.parse(await (await fetch(`${server.baseUrl}/v1/backtest${query}`)).json());
      expect({ ...api, outcome_at: '' }).toEqual({ ...document, outcome_at: '' });
      const bad = await fetch(`${server.baseUrl}/v1/backtest?every=2y`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        error: { code: 'invalid_input', message: 'every: expected a step such as 1mo, 3mo, 2w or 7d, got "2y"' },
      });
      const daily = await fetch(`${server.baseUrl}/backtest?from=2023-01-01&to=2023-12-31&every=1d`);
      expect(daily.status).toBe(400);
      expect(await daily.text()).toContain('more than 120 steps from 2023-01-01 to 2023-12-31 every 1d');
      const page = await fetch(`${server.baseUrl}/backtest${query}`);
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain('<h1>How reliable were the forecasts?</h1>');
      expect(body).toContain('<strong>70.0%</strong> of 20 steps');
      expect(body).toContain('<strong>2 of 2</strong>');
      // One dot per bin with steps (chance 0: 9 steps; chance 1: 11), and the diagonal.
      expect(body.match(/<circle class="bin"/g)).toHaveLength(2);
      expect(body).toContain('data-steps="9"');
      expect(body).toContain('data-steps="11"');
      expect(body).toContain('stroke-dasharray="4 4"');
      const home = await (await fetch(`${server.baseUrl}/`)).text();
      expect(home).toContain('<a href="/backtest">How reliable were the forecasts?</a>');
    } finally {
      await server.stop();
    }
  });
});
