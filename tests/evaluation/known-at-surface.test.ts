import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/http-server.js';
import { OpenApiRegistry } from '../../src/http/openapi-registry.js';
import { createLogger } from '../../src/logging/logger.js';
import type { PacerServices } from '../../src/main.js';
import { reportRoutes } from '../../src/reports/report-routes.js';
import { scorecardPages } from '../../src/scorecard/scorecard-pages.js';
import { scorecardRoutes } from '../../src/scorecard/scorecard-routes.js';
import { targetDetailSchema, targetListSchema } from '../../src/scorecard/scorecard-schema.js';
import { createDatabase, type Database } from '../../src/storage/database.js';
import { openDemoPacer, prepareDemoDatabase } from '../support/demo-database.js';
import { runPacerCli } from '../support/pacer-process.js';
import { seedObservations } from '../support/seed-observations.js';
import { testBackends } from '../support/test-database.js';

/*
 * `--known-at` / `?known_at=` where people use it: the API, the pages, the reports and the command
 * line. On the demo data (recorded when it was loaded, i.e. today), the national count of e-ID
 * accounts for 30 April 2023 is pushed on 2 May 2023 as 36 million, and corrected a month later, on
 * 2 June, to 20 million: as of 31 May the 40-million target (due 30 June) was on track as known on
 * 15 May, and is off track with the correction.
 */
const backends = await testBackends();
const target = 'vneid-accounts-40m';
/** The end of a day in Asia/Ho_Chi_Minh (UTC+7). */
const endOf = (day: string) => new Date(Date.parse(`${day}T23:59:59.999+07:00`)).toISOString();

async function pushAndCorrect(database: Database): Promise<void> {
  const april = (value: number) => [
    { indicator: 'vneid_accounts_issued', region: 'VN', observed_at: '2023-04-30', value },
  ];
  await seedObservations(database, april(36_000_000), { now: new Date('2023-05-02T03:00:00Z') });
  await seedObservations(database, april(20_000_000), { now: new Date('2023-06-02T03:00:00Z') });
}

describe.each(backends)('as known at an instant, through the API and the pages, on %s', (backend) => {
  let pacer: PacerServices;
  let drop: () => Promise<void>;
  let app: FastifyInstance;

  beforeAll(async () => {
    const opened = await openDemoPacer(backend, 'known_at_api');
    ({ services: pacer, drop } = opened);
    await pushAndCorrect(opened.database);
    const openapi = new OpenApiRegistry({ title: 'known-at', version: '1' });
    app = await buildHttpServer({
      logger: createLogger({ level: 'silent', pretty: false }),
      readiness: async () => ({ ready: true, checks: {} }),
      authorize: async () => undefined,
      routes: [
        scorecardRoutes({ scorecard: pacer.scorecard, openapi }),
        reportRoutes({ reports: pacer.reports, openapi }),
        await scorecardPages(pacer.scorecard),
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const get = async (url: string) => {
    const response = await app.inject({ url });
    expect(response.statusCode, response.body).toBe(200);
    return response;
  };
  const list = async (query: string) => targetListSchema.parse((await get(`/v1/targets?${query}`)).json());

  it('GET /v1/targets?at=&known_at= gives the status known before the correction and the one after', async () => {
    const before = await list('at=2023-05-31&known_at=2023-05-15');
    const after = await list('at=2023-05-31&known_at=2023-06-15');
    const now = await list('at=2023-05-31');
    expect(before.known_at).toBe(endOf('2023-05-15'));
    expect(before.targets.find((t) => t.target === target)).toMatchObject({ status: 'on_track', current: 36_000_000 });
    expect(after.targets.find((t) => t.target === target)).toMatchObject({ status: 'off_track', current: 20_000_000 });
    expect(now.known_at).toBeNull();
    expect(now.targets.find((t) => t.target === target)).toMatchObject({ status: 'off_track', current: 20_000_000 });
    // Known on 15 May 2023: the demo figures published by then (each recorded as of its day), and the push.
    expect(before.targets.filter((t) => t.current !== null).map((t) => t.target)).toEqual([
      'villages-mobile-coverage-266',
      target,
    ]);
  });

  it('shows the target’s series as it stood: the value then, the revisions made by then', async () => {
    const detail = async (query: string) =>
      targetDetailSchema.parse((await get(`/v1/targets/${target}?${query}`)).json());
    const april = endOf('2023-04-30');
    const before = await detail('at=2023-05-31&known_at=2023-05-15');
    expect(before.known_at).toBe(endOf('2023-05-15'));
    // The two demo figures of late 2022, each recorded on its day, and the April value as first pushed.
    expect(before.observations.map((o) => o.observed_on)).toEqual(['2022-10-20', '2022-11-07', '2023-04-30']);
    expect(before.observations.find((o) => o.observed_at === april)).toEqual(
      expect.objectContaining({
        value: 36_000_000,
        recorded_at: '2023-05-02T03:00:00.000Z',
        revisions: [],
      }),
    );
    expect(before.target).toMatchObject({ status: 'on_track' });
    const after = await detail('at=2023-05-31&known_at=2023-06-15');
    expect(after.observations.find((o) => o.observed_at === april)).toMatchObject({
      value: 20_000_000,
      recorded_at: '2023-06-02T03:00:00.000Z',
      revisions: [{ old_value: 36_000_000, new_value: 20_000_000, revised_at: '2023-06-02T03:00:00.000Z' }],
    });
    const now = await detail('at=2023-05-31');
    expect(now.known_at).toBeNull();
    expect(now.observations.length).toBeGreaterThan(1);
  });

  it('answers a known_at in the future or a bad one with 400 naming it; today is now', async () => {
    const future = await app.inject({ url: '/v1/targets?at=2023-05-31&known_at=2999-01-01' });
    expect(future.statusCode).toBe(400);
    expect(future.json().error).toMatchObject({ issues: [{ code: 'future_known_at', field: 'known_at' }] });
    expect(future.json().error.message).toContain('in the future');
    const instant = await app.inject({
      url: `/v1/targets/${target}?known_at=${new Date(Date.now() + 3_600_000).toISOString()}`,
    });
    expect(instant.statusCode).toBe(400);
    const bad = await app.inject({ url: '/v1/targets?known_at=2023-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ issues: [{ code: 'invalid_date', field: 'known_at' }] });
    const page = await app.inject({ url: '/?known_at=2999-01-01' });
    expect(page.statusCode).toBe(400);
    // Today (in the directive's zone) is not in the future: everything known by now.
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const started = Date.now();
    const known = await list(`at=2023-05-31&known_at=${today}`);
    expect(Date.parse(known.known_at!)).toBeGreaterThanOrEqual(started - 1);
    expect(Date.parse(known.known_at!)).toBeLessThanOrEqual(Date.now());
  });

  it('offers, on a page of a past date, the view as known then and the one with later corrections', async () => {
    const toggle = (body: string) => body.match(/<p class="note known-at" id="known-at">.*?<\/p>/s)?.[0];
    const corrected = (await get('/?at=2023-05-31')).body;
    expect(toggle(corrected)).toBe(
      '<p class="note known-at" id="known-at">Values: <strong aria-current="page">with later corrections</strong> · ' +
        '<a href="/?at=2023-05-31&amp;known_at=2023-05-31">as known then</a></p>',
    );
    const then = (await get('/?at=2023-05-31&known_at=2023-05-31&status=on_track')).body;
    expect(toggle(then)).toBe(
      '<p class="note known-at" id="known-at">Values: ' +
        '<a href="/?at=2023-05-31&amp;status=on_track">with later corrections</a> · ' +
        '<strong aria-current="page">as known then</strong></p>',
    );
    // As known at the end of 31 May 2023: the April count as first pushed.
    expect(then).toContain(`data-target="${target}" data-status="on_track"`);
    // The page's links keep the view.
    expect(then).toContain(`href="/targets/${target}?at=2023-05-31&amp;known_at=2023-05-31"`);
    expect(then).toContain('href="/reports/scorecard.csv?at=2023-05-31&amp;known_at=2023-05-31"');
    // Pages of now have no toggle, nor do pages of a date to come.
    expect(toggle((await get('/')).body)).toBeUndefined();
    expect(toggle((await get('/?at=2999-12-31')).body)).toBeUndefined();

    const targetPage = (await get(`/targets/${target}?at=2023-05-31&known_at=2023-05-31`)).body;
    expect(toggle(targetPage)).toContain(`<a href="/targets/${target}?at=2023-05-31">with later corrections</a>`);
    expect(targetPage).toContain('href="/?at=2023-05-31&amp;known_at=2023-05-31">← All targets</a>');
    expect(targetPage).toContain('<data id="current" value="36000000">');
  });

  it('writes the reports as known then', async () => {
    const csv = (await get('/reports/scorecard.csv?at=2023-05-31&known_at=2023-05-15')).body;
    const row = csv.split('\r\n').find((line) => line.includes(`,${target},`))!;
    expect(row).toContain(',on_track,');
    expect(row).toContain(',36000000,');
    const report = await pacer.reports.build({ at: '2023-05-31', known_at: '2023-05-15' });
    expect(report).toMatchObject({ knownAt: endOf('2023-05-15') });
    // The observation behind the current value, as it stood then.
    expect(report.observations.find((o) => o.target === target)).toMatchObject({ value: 36_000_000 });
  });
});

describe.each(backends)('pacer evaluate, status and report --known-at on %s', (backend) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ env, drop } = await prepareDemoDatabase(backend, 'known_at_cli'));
    const database = await createDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.PACER_DATA_DIR! },
    );
    try {
      await pushAndCorrect(database);
    } finally {
      await database.close();
    }
  });
  afterAll(async () => drop?.());

  const cli = async (args: string[]) => {
    const result = await runPacerCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const statusIn = (json: string) =>
    (JSON.parse(json) as { targets: { target: string; status: string }[] }).targets.find((t) => t.target === target)!
      .status;

  it('gives, for the same --at, the status known before the correction and the one after it', async () => {
    const before = await cli(['evaluate', '--at', '2023-05-31', '--known-at', '2023-05-15', '--json']);
    const after = await cli(['evaluate', '--at', '2023-05-31', '--known-at', '2023-06-15', '--json']);
    expect(statusIn(before)).toBe('on_track');
    expect(statusIn(after)).toBe('off_track');
    expect(JSON.parse(before)).toMatchObject({ as_of: endOf('2023-05-31'), known_at: endOf('2023-05-15') });
    const table = await cli(['evaluate', '--at', '2023-05-31', '--known-at', '2023-05-15']);
    expect(table.split('\n')[0]).toMatch(
      /targets as of 31 May 2023 \(Asia\/Ho_Chi_Minh\), as known at 2023-05-15T23:59:59\+07:00, worst first$/,
    );
    expect(table).toMatch(new RegExp(`^On track\\s+${target}\\s`, 'm'));
  });

  it('prints the scorecard and the report as known then', async () => {
    const status = await cli(['status', '--at', '2023-05-31', '--known-at', '2023-05-15', '--json']);
    expect(statusIn(status)).toBe('on_track');
    expect(JSON.parse(status)).toMatchObject({ known_at: endOf('2023-05-15') });
    const table = await cli(['status', '--at', '2023-05-31', '--known-at', '2023-05-15']);
    expect(table.split('\n')[0]).toMatch(
      /as of 31 May 2023 \(Asia\/Ho_Chi_Minh\), as known at 2023-05-15T23:59:59\+07:00, worst first$/,
    );
    const md = await cli(['report', '--format', 'md', '--at', '2023-05-31', '--known-at', '2023-05-15']);
    expect(md.split('\n')[0]).toBe(
      '# Scorecard as of 31 May 2023 (Asia/Ho_Chi_Minh), as known at 2023-05-15T23:59:59+07:00',
    );
  });

  it('refuses --known-at in the future, and --save with --known-at, with exit 1 naming the option', async () => {
    const future = await runPacerCli(['status', '--at', '2023-05-31', '--known-at', '2999-01-01'], env);
    expect(future).toMatchObject({ code: 1, stdout: '' });
    expect(future.stderr).toContain('--known-at: "2999-01-01" is in the future');
    const evaluate = await runPacerCli(['evaluate', '--known-at', '2999-01-01'], env);
    expect(evaluate).toMatchObject({ code: 1, stdout: '' });
    expect(evaluate.stderr).toContain('--known-at: "2999-01-01" is in the future');
    const save = await runPacerCli(['evaluate', '--at', '2023-05-31', '--known-at', '2023-05-15', '--save'], env);
    expect(save).toMatchObject({ code: 1, stdout: '' });
    expect(save.stderr).toContain('error: --save: a stored run is what was known when it ran');
    const bad = await runPacerCli(['report', '--format', 'md', '--known-at', '2023-02-30'], env);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('error: --known-at: expected YYYY-MM-DD or an ISO date-time, got "2023-02-30"');
  });

  it('describes the two axes in the help', async () => {
    const help = await cli(['evaluate', '--help']);
    expect(help).toContain('--at <date>');
    expect(help).toContain('the values dated up to DATE');
    expect(help).toContain('--known-at <date>');
    expect(help).toContain('only what Pacer had recorded by then');
    expect(help).not.toContain('what was known then');
  });
});
