import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/http-server.js';
import { OpenApiRegistry } from '../../src/http/openapi-registry.js';
import { createLogger } from '../../src/logging/logger.js';
import type { PacerServices } from '../../src/main.js';
import { reportCsv, reportCsvColumns } from '../../src/reports/report-csv.js';
import { statusColours } from '../../src/reports/report-format.js';
import { reportMarkdown } from '../../src/reports/report-markdown.js';
import { reportRoutes } from '../../src/reports/report-routes.js';
import type { ScorecardReport } from '../../src/reports/report-service.js';
import { observationsSheetName, reportXlsx } from '../../src/reports/report-xlsx.js';
import { scorecardPages } from '../../src/scorecard/scorecard-pages.js';
import { which } from '../support/binaries.js';
import { openDemoPacer } from '../support/demo-database.js';
import { expectGolden } from '../support/golden.js';
import { servicesRequired } from '../support/services.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();
const at = '2023-06-30';
const csvGolden = `tests/reports/golden/scorecard-${at}.csv`;
const mdGolden = `tests/reports/golden/scorecard-${at}.md`;
const viMdGolden = `tests/reports/golden/scorecard-${at}.vi.md`;
const soffice = which('soffice');
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-report-'));
  dirs.push(dir);
  return dir;
};

/** Splits RFC 4180 text (quoted fields may hold commas, quotes and line breaks) into records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted) field += c;
    else if (c === ',') endField();
    else if (c === '\n') endRecord();
    else if (c === '\r' && text[i + 1] === '\n') {
      endRecord();
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

describe.each(backends)('the scorecard report on %s', (backend) => {
  let services: PacerServices;
  let drop: () => Promise<void>;
  let report: ScorecardReport;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ services, drop } = await openDemoPacer(backend, 'report'));
    report = await services.reports.build({ at });
    app = await buildHttpServer({
      logger: createLogger({ level: 'silent', pretty: false }),
      readiness: async () => ({ ready: true, checks: {} }),
      authorize: async () => undefined,
      routes: [
        reportRoutes({ reports: services.reports, openapi: new OpenApiRegistry({ title: 'r', version: '1' }) }),
        await scorecardPages(services.scorecard),
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('groups the scorecard of the date by directive, worst first, with the observation behind each value', () => {
    expect(report).toMatchObject({ asOf: '2023-06-30T16:59:59.999Z', asOfDay: at, timezone: 'Asia/Ho_Chi_Minh' });
    expect(report.directives.map((d) => [d.directive.id, d.targets.length])).toEqual([['ct-05-2023', 18]]);
    const withValue = report.directives[0]!.targets.filter((t) => t.current !== null).map((t) => t.target);
    expect(report.observations.map((o) => o.target)).toEqual(withValue);
    expect(report.observations.find((o) => o.target === 'vneid-accounts-40m')).toMatchObject({
      indicator: 'vneid_accounts_issued',
      regionCode: 'VN',
      regionName: 'Việt Nam',
      day: '2022-11-07',
      value: 12_500_000,
      source: 'direct',
      batchSource: 'demo',
      feed: 'scheme06-figures',
    });
    for (const o of report.observations) {
      expect(o.batchId, o.target).toEqual(expect.any(Number));
      expect(o.note, o.target).toEqual(expect.any(String));
    }
  });

  it('writes CSV per RFC 4180 in UTF-8 with a byte order mark, one row per target (golden)', async () => {
    const csv = reportCsv(report);
    expect(csv.startsWith('\uFEFFas_of,directive,target,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/\n/);
    const records = parseCsv(csv.slice(1));
    expect(records[0]).toEqual([...reportCsvColumns]);
    expect(records).toHaveLength(1 + 18);
    const rows = records.slice(1).map((r) => Object.fromEntries(reportCsvColumns.map((c, i) => [c, r[i]])));
    for (const r of rows) expect(Object.keys(r)).toHaveLength(reportCsvColumns.length);
    expect(rows.find((r) => r.target === 'vneid-accounts-40m')).toMatchObject({
      as_of: at,
      status: 'off_track',
      reason: 'forecast_short',
      current: '12500000',
      current_date: '2022-11-07',
      progress: '0.0484',
      projected: '30777778',
      projected_completion: '2023-10-27',
      due: '2023-06-30',
    });
    // A field with a comma is quoted; the Vietnamese of the catalog survives as UTF-8.
    expect(csv).toContain('"At 77,778 a day the forecast reaches 30,777,778 of 40,000,000 by 30 Jun 2023');
    await expectGolden(csvGolden, csv);
  });

  it('writes Markdown with a table per directive, numbers and days as people read them (golden)', async () => {
    const md = reportMarkdown(report);
    expect(md.split('\n')[0]).toBe('# Scorecard as of 30 Jun 2023 (Asia/Ho_Chi_Minh)');
    expect(md).toContain('## Directive 05/CT-TTg (2023) on Scheme 06');
    expect(md).toContain(
      '| **Off track** | 40 million VNeID e-ID accounts issued to citizens (`vneid-accounts-40m`) | ' +
        'Ministry of Public Security | 30 Jun 2023 | 12,500,000 (7 Nov 2022) | 40,000,000 | 4.8% (100.0%) | ' +
        '30,777,778 | 27 Oct 2023 |',
    );
    expect(md).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    await expectGolden(mdGolden, md);
  });

  it('writes the report in Vietnamese: headings, status names, sentences, numbers and days (golden)', async () => {
    const vi = await services.reports.build({ at, lang: 'vi' });
    const md = reportMarkdown(vi);
    expect(md.split('\n')[0]).toBe('# Bảng theo dõi tính đến ngày 30/06/2023 (Asia/Ho_Chi_Minh)');
    const row = md.split('\n').find((l) => l.includes('`vneid-accounts-40m`'))!;
    expect(row).toContain('| **Chậm tiến độ** |');
    expect(row).toContain(
      '| 30/06/2023 | 12.500.000 (07/11/2022) | 40.000.000 | 4,8% (100,0%) | 30.777.778 | 27/10/2023 |',
    );
    expect(row).toContain('Theo tốc độ 77.778 mỗi ngày, dự báo đạt 30.777.778/40.000.000 vào 30/06/2023 (68,1%)');
    expect(md).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    await expectGolden(viMdGolden, md);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await reportXlsx(vi)) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['ct-05-2023', 'Số liệu']);
    const sheet = workbook.getWorksheet('ct-05-2023')!;
    const headers = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(headers.slice(0, 3)).toEqual(['Tình trạng', 'Mã lý do', 'Giải thích']);
    const column = (name: string) => headers.indexOf(name) + 1;
    let r = 3;
    while (sheet.getCell(r, column('Mã chỉ tiêu')).value !== 'vneid-accounts-40m') r++;
    expect(sheet.getCell(r, column('Tình trạng')).value).toBe('Chậm tiến độ');
    expect(sheet.getCell(r, column('Thời hạn')).numFmt).toBe('dd/mm/yyyy');
    expect(sheet.getCell(r, column('Hiện tại')).value).toBe(12_500_000);
  });

  it('writes a workbook, a sheet per directive: status colours, frozen headers, number formats, dates', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await reportXlsx(report)) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['ct-05-2023', observationsSheetName]);
    const sheet = workbook.getWorksheet('ct-05-2023')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const headers = (sheet.getRow(2).values as unknown[]).slice(1);
    const column = (name: string) => headers.indexOf(name) + 1;
    const rowOf = (id: string) => {
      for (let r = 3; r <= sheet.rowCount; r++) if (sheet.getCell(r, column('Target')).value === id) return r;
      throw new Error(`no row for ${id}`);
    };
    const r = rowOf('vneid-accounts-40m');
    const cell = (name: string) => sheet.getCell(r, column(name));
    expect(cell('Status').value).toBe('Off track');
    expect(cell('Status').fill).toMatchObject({
      pattern: 'solid',
      fgColor: { argb: `FF${statusColours.off_track.fill}` },
    });
    expect(cell('Reason').value).toBe('forecast_short');
    expect(cell('Current').value).toBe(12_500_000);
    expect(cell('Current').numFmt).toBe('#,##0');
    expect(cell('Progress').numFmt).toBe('0.0%');
    expect(cell('Projected at deadline').value).toBe(30_777_778);
    expect(cell('Due date').value).toEqual(new Date('2023-06-30T00:00:00.000Z'));
    expect(cell('Current value date').value).toEqual(new Date('2022-11-07T00:00:00.000Z'));
    expect(cell('Projected completion').value).toEqual(new Date('2023-10-27T00:00:00.000Z'));
    const missed = sheet.getCell(3, column('Status'));
    expect(missed.value).toBe('Missed');
    expect(missed.fill).toMatchObject({ fgColor: { argb: `FF${statusColours.missed.fill}` } });
    const observations = workbook.getWorksheet(observationsSheetName)!;
    expect(observations.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(observations.rowCount).toBe(2 + report.observations.length);
  });

  it('serves the CSV and the workbook as downloads of the date asked, and refuses a bad date', async () => {
    const csv = await app.inject({ url: `/reports/scorecard.csv?at=${at}` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="scorecard-${at}.csv"`);
    expect(csv.rawPayload.toString('utf8')).toBe(reportCsv(report));
    const xlsx = await app.inject({ url: `/reports/scorecard.xlsx?at=${at}` });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toBe(`attachment; filename="scorecard-${at}.xlsx"`);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const bad = await app.inject({ url: '/reports/scorecard.csv?at=2023-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'invalid_input', issues: [{ code: 'invalid_date', field: 'at' }] },
    });
  });

  it('links the downloads from the directive page, keeping its date', async () => {
    const page = await app.inject({ url: `/?at=${at}` });
    expect(page.body).toContain(
      `Download: <a href="/reports/scorecard.xlsx?at=${at}" download>XLSX</a> · ` +
        `<a href="/reports/scorecard.csv?at=${at}" download>CSV</a>`,
    );
    const now = await app.inject({ url: '/' });
    expect(now.body).toContain('<a href="/reports/scorecard.xlsx" download>XLSX</a>');
  });

  if (backend === backends[0])
    describe.skipIf(!soffice && !servicesRequired)(
      `opened in LibreOffice${soffice ? '' : ' (skipped: no soffice; apt-get install libreoffice-calc-nogui)'}`,
      () => {
        it('reads every sheet back with the statuses, the figures as formatted and the dates', async () => {
          if (!soffice)
            throw new Error('PACER_REQUIRE_SERVICES=1 but soffice is missing: apt-get install libreoffice-calc-nogui');
          const dir = await tempDir();
          const file = path.join(dir, `scorecard-${at}.xlsx`);
          await writeFile(file, await reportXlsx(report));
          // Tokens: comma, double quote, UTF-8, from line 1, no column formats, English (US) numbers, no quoting of
          // all text, special numbers, cells as shown (formatted), no formulas, keep spaces, every sheet (-1).
          const filter = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1';
          const run = spawnSync(
            soffice,
            [
              `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
              '--headless',
              '--norestore',
              '--convert-to',
              filter,
              '--outdir',
              dir,
              file,
            ],
            { encoding: 'utf8', timeout: 170_000 },
          );
          expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
          const csvs = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
          expect(csvs).toEqual([`scorecard-${at}-Observations.csv`, `scorecard-${at}-ct-05-2023.csv`]);
          const targets = parseCsv(await readFile(path.join(dir, csvs[1]!), 'utf8'));
          expect(targets[0]![0]).toBe(
            'Directive 05/CT-TTg (2023) on Scheme 06: 18 targets as of 30 Jun 2023 (Asia/Ho_Chi_Minh), worst first',
          );
          const head = targets[1]!;
          const rows = targets.slice(2).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
          expect(rows.map((r) => r.Status)).toEqual(report.directives[0]!.targets.map((t) => t.status).map(label));
          expect(rows.find((r) => r.Target === 'vneid-accounts-40m')).toMatchObject({
            Status: 'Off track',
            Reason: 'forecast_short',
            Owner: 'Ministry of Public Security',
            Baseline: '11,100,000',
            'Target value': '40,000,000',
            Current: '12,500,000',
            'Current value date': '2022-11-07',
            Progress: '4.8%',
            'Expected progress': '100.0%',
            'Projected at deadline': '30,777,778',
            'Projected completion': '2023-10-27',
            'Due date': '2023-06-30',
          });
          expect(rows.find((r) => r.Target === 'mic-free-sms-notifications')).toMatchObject({
            Status: 'Missed',
            'Target value': 'Done',
            'Due date': '2023-02-28',
          });
          const observations = parseCsv(await readFile(path.join(dir, csvs[0]!), 'utf8'));
          const obsHead = observations[1]!;
          const vneid = observations
            .slice(2)
            .map((r) => Object.fromEntries(obsHead.map((h, i) => [h, r[i]])))
            .find((r) => r.Target === 'vneid-accounts-40m');
          expect(vneid).toMatchObject({
            'Region name': 'Việt Nam',
            Date: '2022-11-07',
            Value: '12,500,000',
            Source: 'Observed',
            'Batch source': 'demo',
            Feed: 'scheme06-figures',
          });
        }, 180_000);
      },
    );
});

function label(status: string): string {
  return { missed: 'Missed', off_track: 'Off track', at_risk: 'At risk', no_data: 'No data', on_track: 'On track' }[
    status
  ]!;
}
