import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestApi, type IngestApi, readJson } from '../support/ingest-api.js';
import { which } from '../support/binaries.js';
import { servicesRequired } from '../support/services.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();

const ndjson = (records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
const rec = (indicator: string, region: string, observed_at: string, value: number) => ({
  indicator,
  region,
  observed_at,
  value,
});

describe.each(backends)('data-quality warnings on %s', (backend) => {
  let api: IngestApi;
  beforeAll(async () => {
    api = await startIngestApi(backend, 'dq_warnings');
  });
  afterAll(() => api.close());

  const flags = (indicator: string) =>
    api.database.db
      .selectFrom('observation_warnings')
      .select(['observed_at', 'code', 'value', 'previous_value', 'previous_observed_at', 'batch_id'])
      .where('indicator_id', '=', indicator)
      .orderBy('observed_at')
      .orderBy('code')
      .execute();

  it('stores a cumulative value below the previous one and answers a decrease warning on its line', async () => {
    const body = ndjson([
      rec('vneid_accounts_issued', 'VN', '2023-06-24', 38_500_000),
      rec('vneid_accounts_issued', 'VN', '2023-06-25', 39_000_000),
      rec('vneid_accounts_issued', 'VN', '2023-06-26', 38_000_000),
    ]);
    const summary = await readJson(await api.push(body));
    expect(summary).toMatchObject({ inserted: 3, rejected: 0, warnings_total: 1 });
    expect(summary.warnings).toEqual([
      {
        line: 3,
        field: 'value',
        code: 'decrease',
        message: 'value 38,000,000 is below the previous 39,000,000 of 2023-06-25 for a cumulative indicator',
      },
    ]);
    const stored = await api.database.db
      .selectFrom('observations')
      .select('value')
      .where('indicator_id', '=', 'vneid_accounts_issued')
      .orderBy('observed_at')
      .execute();
    expect(stored.map((r) => r.value)).toEqual([38_500_000, 39_000_000, 38_000_000]);
    const stored1 = await flags('vneid_accounts_issued');
    expect(stored1).toEqual([
      {
        observed_at: new Date('2023-06-26T16:59:59.999Z'),
        code: 'decrease',
        value: 38_000_000,
        previous_value: 39_000_000,
        previous_observed_at: new Date('2023-06-25T16:59:59.999Z'),
        batch_id: summary.batch_id,
      },
    ]);

    const again = await readJson(await api.push(body));
    expect(again).toMatchObject({ unchanged: 3, warnings: [], warnings_total: 0 });
    expect(await flags('vneid_accounts_issued')).toEqual(stored1);

    const corrected = await readJson(
      await api.push(ndjson([rec('vneid_accounts_issued', 'VN', '2023-06-26', 39_400_000)])),
    );
    expect(corrected).toMatchObject({ updated: 1, warnings: [], warnings_total: 0 });
    expect(await flags('vneid_accounts_issued')).toEqual([]);
  });

  it('flags a stored value that a backfill makes a decrease, on the line of the backfilled record', async () => {
    const indicator = 'vneid_applications_received';
    await readJson(
      await api.push(ndjson([rec(indicator, 'VN', '2024-03-01', 1_000), rec(indicator, 'VN', '2024-03-03', 2_000)])),
    );
    const json = JSON.stringify([rec(indicator, 'VN', '2024-03-02', 2_500)]);
    const summary = await readJson(await api.push(json, { contentType: 'application/json' }));
    expect(summary).toMatchObject({ inserted: 1, warnings_total: 1 });
    expect(summary.warnings).toEqual([
      {
        line: 1,
        field: 'value',
        code: 'decrease',
        message: 'value 2,500 is above the following 2,000 of 2024-03-03 for a cumulative indicator',
      },
    ]);
    expect(await flags(indicator)).toMatchObject([
      { observed_at: new Date('2024-03-03T16:59:59.999Z'), code: 'decrease', value: 2_000, previous_value: 2_500 },
    ]);
  });

  it('answers a jump warning for a rise far above the trailing pace, in CSV, and stores the flag', async () => {
    const indicator = 'chip_id_cards_issued';
    const csv =
      'indicator,region,observed_at,value\n' +
      ['2024-05-01,1000', '2024-05-02,1100', '2024-05-03,1200', '2024-05-04,1300', '2024-05-05,6300']
        .map((row) => `${indicator},VN,${row}\n`)
        .join('');
    const summary = await readJson(await api.push(csv, { contentType: 'text/csv' }));
    expect(summary).toMatchObject({ inserted: 5, warnings_total: 1 });
    expect(summary.warnings).toEqual([
      {
        line: 6,
        field: 'value',
        code: 'jump',
        message: 'rise of 5,000 in 1 day (since 2024-05-04) is 50× the trailing pace of 100 a day',
      },
    ]);
    expect(await flags(indicator)).toMatchObject([{ code: 'jump', value: 6_300, previous_value: 1_300 }]);
  });

  it('answers no warnings for a steady series and a level indicator going down', async () => {
    const steady = Array.from({ length: 12 }, (_, i) =>
      rec('ehealth_records_created', 'VN', `2024-01-${String(i + 1).padStart(2, '0')}`, 500 + i * 50 + (i % 3) * 7),
    );
    const level = [40, 35, 30, 31, 12].map((v, i) =>
      rec('villages_without_mobile_coverage', 'VN', `2024-02-0${i + 1}`, v),
    );
    const summary = await readJson(await api.push(ndjson([...steady, ...level])));
    expect(summary).toMatchObject({ inserted: 17, warnings: [], warnings_total: 0 });
    expect(await flags('ehealth_records_created')).toEqual([]);
    expect(await flags('villages_without_mobile_coverage')).toEqual([]);
  });

  it('counts warnings in /metrics by indicator and code', async () => {
    const indicator = 'ehealth_records_on_vneid';
    const count = async () => {
      const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('pacer_observation_warnings_total{') && l.includes(`indicator="${indicator}"`));
      return { value: line ? Number(line.split(' ').at(-1)) : 0, line };
    };
    expect((await count()).value).toBe(0);
    await api.push(ndjson([rec(indicator, 'VN', '2024-04-01', 90), rec(indicator, 'VN', '2024-04-02', 80)]));
    await api.push(ndjson([rec(indicator, 'VN', '2024-04-03', 70)]));
    const after = await count();
    expect(after.value).toBe(2);
    expect(after.line).toMatch(/code="decrease"/);
  });

  it('marks a flagged value on the target page chart and lists it under the chart, and in the JSON', async () => {
    const indicator = 'ehealth_records_on_vneid';
    await api.push(
      ndjson([rec(indicator, 'VN', '2024-08-01', 5_000_000), rec(indicator, 'VN', '2024-08-02', 4_900_000)]),
    );
    const message = 'value 4,900,000 is below the previous 5,000,000 of 2024-08-01 for a cumulative indicator';
    const page = await (await fetch(`${api.baseUrl}/targets/ehealth-records-on-vneid-30m`)).text();
    expect(page).toContain('<li class="k-flagged"><i></i>Flagged value</li>');
    expect(page).toMatch(
      new RegExp(`<li data-code="decrease"><time datetime="2024-08-02">2 Aug 2024</time> [^<]+: ${message}`),
    );
    // In Vietnamese, in its own words, with its numbers and days.
    const vi = await (await fetch(`${api.baseUrl}/targets/ehealth-records-on-vneid-30m?lang=vi`)).text();
    expect(vi).toContain(
      '<li data-code="decrease"><time datetime="2024-08-02">02/08/2024</time> 4.900.000: ' +
        'giá trị 4.900.000 thấp hơn giá trị trước đó 5.000.000 ngày 01/08/2024 của một chỉ số lũy kế</li>',
    );
    const chartData = JSON.parse(page.match(/<script type="application\/json" id="chart-data">(.*?)<\/script>/)![1]!);
    expect(chartData.flagged).toContainEqual([Date.parse('2024-08-02T16:59:59.999Z') / 1000, 4_900_000, message]);

    const detail = await readJson(await fetch(`${api.baseUrl}/v1/targets/ehealth-records-on-vneid-30m`));
    const flaggedPoint = detail.observations.find(
      (o: { observed_at: string }) => o.observed_at === '2024-08-02T16:59:59.999Z',
    );
    expect(flaggedPoint.warning).toEqual({ code: 'decrease', message });
    const before = detail.observations.find(
      (o: { observed_at: string }) => o.observed_at === '2024-08-01T16:59:59.999Z',
    );
    expect(before).not.toHaveProperty('warning');
  });

  const promtool = which('promtool');
  it.skipIf(!promtool && !servicesRequired)(
    'serves the warnings counter in an exposition `promtool check metrics` accepts (Debian package prometheus)',
    async () => {
      expect(promtool, 'promtool not found: apt-get install prometheus').toBeDefined();
      await api.push(
        ndjson([
          rec('telecom_subscribers_standardized', 'VN', '2024-04-01', 9),
          rec('telecom_subscribers_standardized', 'VN', '2024-04-02', 8),
        ]),
      );
      const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
      expect(text).toContain('# TYPE pacer_observation_warnings_total counter');
      const check = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    },
  );
});
