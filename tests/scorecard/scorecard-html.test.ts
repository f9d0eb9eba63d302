import { describe, expect, it } from 'vitest';
import { ROWS_PER_PAGE, renderDirectivePage } from '../../src/scorecard/html/directive-page.js';
import { escapeHtml, html, jsonScript } from '../../src/scorecard/html/html.js';
import { renderTargetPage } from '../../src/scorecard/html/target-page.js';
import type { TargetDetail, TargetList, TargetSummary } from '../../src/scorecard/scorecard-schema.js';
import { Formatter } from '../../src/domain/language/formatter.js';
import type { PageLanguage } from '../../src/scorecard/html/layout.js';

const hostile = `<script>alert("x")</script> & 'quotes' Bộ Công an`;
const assetUrl = (name: string) => `/assets/${name}?v=0`;
const english: PageLanguage = { format: new Formatter('en', 'Asia/Ho_Chi_Minh') };

const summary: TargetSummary = {
  target: 'evil-<b>-target',
  title: hostile,
  directive: 'ct-05-2023',
  owner: `${hostile} owner`,
  indicator: 'vneid_accounts_issued',
  indicator_name: `Indicator ${hostile}`,
  unit: '<u>',
  kind: 'cumulative',
  region: 'VN',
  status: 'off_track',
  reason: 'forecast_short',
  explanation: `At 0.05 a day the forecast reaches 20 of 100 (${hostile})`,
  achieved_late: false,
  achieved_at: null,
  baseline: 0,
  baseline_at: '2023-01-01T00:00:00.000Z',
  target_value: 100,
  direction: 'at_least',
  due: '2023-12-31',
  deadline: '2023-12-31T17:00:00.000Z',
  current: 10,
  current_observed_at: '2023-06-01T00:00:00.000Z',
  current_observed_on: '2023-06-01',
  current_source: 'direct',
  coverage: 1,
  partial: false,
  expected: 50,
  progress: 0.1,
  expected_progress: 0.5,
  projected: 20,
  value_at_deadline: null,
  attainment_probability: 0.12,
  projected_low: 12,
  projected_high: 28,
  projected_completion: null,
};

/** No markup may come from data: the only tags are the templates' own. */
function expectNoInjectedMarkup(page: string) {
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('<b>');
  expect(page).not.toContain('<u>');
  expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; Bộ Công an');
}

describe('HTML output', () => {
  it('escapes every interpolated value but keeps nested templates', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = html`<em>${'<i>'}</em>`;
    expect(html`<p title="${'"onmouseover="x'}">${inner}${[1, '<', null, false, undefined]}</p>`.value).toBe(
      '<p title="&quot;onmouseover=&quot;x"><em>&lt;i&gt;</em>1&lt;</p>',
    );
  });

  it('keeps inline JSON from closing its script element', () => {
    const block = jsonScript('data', { note: '</script><script>alert(1)</script>', sep: '\u2028' }).value;
    expect(block).not.toContain('</script><script>');
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(/>(.*)<\/script>$/s.exec(block)![1]!)).toEqual({
      note: '</script><script>alert(1)</script>',
      sep: '\u2028',
    });
  });

  it('renders hostile catalog text on the directive page as text', () => {
    const list: TargetList = {
      as_of: '2023-06-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directives: [
        {
          id: 'ct-05-2023',
          title: `Directive ${hostile}`,
          issuer: hostile,
          issued: '2023-02-23',
          timezone: 'Asia/Ho_Chi_Minh',
          url: 'javascript:alert(1)" onclick="x',
        },
      ],
      owners: [summary.owner],
      counts: { missed: 0, off_track: 1, at_risk: 0, no_data: 0, on_track: 0, achieved: 0 },
      total: 1,
      targets: [summary],
    };
    const page = renderDirectivePage(list, { at: '2023-06-30', owner: [summary.owner] }, assetUrl, english);
    const safe = renderDirectivePage(
      { ...list, directives: [{ ...list.directives[0]!, url: 'https://example.org/ct-05?a=1&b=2' }] },
      {},
      assetUrl,
      english,
    );
    expect(safe).toContain('<a href="https://example.org/ct-05?a=1&amp;b=2" rel="noopener">directive text</a>');
    expectNoInjectedMarkup(page);
    expect(page).toContain('href="/targets/evil-%3Cb%3E-target?at=2023-06-30"');
    expect(page).not.toContain('javascript:');
    expect(page).toContain(`<option selected>${escapeHtml(summary.owner)}</option>`);
  });

  it('says where the pace mark stood on a past date, and writes — for a completion not reached at this pace', () => {
    const list: TargetList = {
      as_of: '2023-06-30T16:59:59.999Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directives: [{ id: 'd', title: 'D', issuer: 'x', issued: '2023-02-23', timezone: 'Asia/Ho_Chi_Minh', url: null }],
      owners: [summary.owner],
      counts: { missed: 0, off_track: 1, at_risk: 0, no_data: 0, on_track: 0, achieved: 0 },
      total: 1,
      targets: [{ ...summary, projected_completion: null }],
    };
    const past = renderDirectivePage(list, { at: '2023-06-30' }, assetUrl, english);
    expect(past).toContain('the black mark is where the expected pace was at the end of 30 Jun 2023.');
    expect(past).not.toContain('is today');
    expect(past).toContain('<td class="day">—</td>');
    expect(past).not.toContain('not at this pace');
    expect(renderDirectivePage(list, {}, assetUrl, english)).toContain(
      'the black mark is where the expected pace is today.',
    );
  });

  it('shows a national list a page of rows at a time, worst first, with links that keep the date and filters', () => {
    const targets = Array.from({ length: 2 * ROWS_PER_PAGE + 10 }, (_, i) => ({
      ...summary,
      target: `t-${String(i).padStart(5, '0')}`,
      title: `Target ${i}`,
    }));
    const list: TargetList = {
      as_of: '2023-06-30T16:59:59.999Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directives: [{ id: 'd', title: 'D', issuer: 'x', issued: '2023-02-23', timezone: 'Asia/Ho_Chi_Minh', url: null }],
      owners: [summary.owner],
      counts: { missed: 0, off_track: targets.length, at_risk: 0, no_data: 0, on_track: 0, achieved: 0 },
      total: targets.length + 5,
      targets,
    };
    const rowsOf = (page: string) => [...page.matchAll(/<tr data-target="([^"]+)"/g)].map((m) => m[1]);
    const query = { at: '2023-06-30', status: ['off_track' as const] };
    const first = renderDirectivePage(list, query, assetUrl, english);
    expect(rowsOf(first)).toEqual(targets.slice(0, ROWS_PER_PAGE).map((t) => t.target));
    expect(first).toContain(`${targets.length} of ${list.total} targets; 1–${ROWS_PER_PAGE} shown`);
    expect(first).toContain('<a href="/?at=2023-06-30&amp;status=off_track&amp;page=2" rel="next">Next</a>');
    const last = renderDirectivePage(list, { ...query, page: 3 }, assetUrl, english);
    expect(rowsOf(last)).toEqual(targets.slice(2 * ROWS_PER_PAGE).map((t) => t.target));
    expect(last).toContain('<strong aria-current="page">3</strong>');
    expect(last).toContain('<a href="/?at=2023-06-30&amp;status=off_track&amp;page=2" rel="prev">Previous</a>');
    // A page past the end shows the last one; a short list has no pager at all.
    expect(rowsOf(renderDirectivePage(list, { ...query, page: 99 }, assetUrl, english))).toEqual(rowsOf(last));
    expect(renderDirectivePage({ ...list, targets: targets.slice(0, 3) }, query, assetUrl, english)).not.toContain(
      'class="pager"',
    );
  });

  it('renders hostile notes, region names and series on the target page as text, linking only web addresses', () => {
    const detail: TargetDetail = {
      as_of: '2023-06-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directive: {
        id: 'ct-05-2023',
        title: hostile,
        issuer: 'x',
        issued: '2023-02-23',
        timezone: 'Asia/Ho_Chi_Minh',
        url: null,
      },
      target: {
        ...summary,
        region_name: hostile,
        source: hostile,
        tolerance: 0.1,
        update_interval_seconds: 86_400,
        milestones: [],
        note: hostile,
      },
      observations: [
        {
          observed_at: '2023-06-01T00:00:00.000Z',
          observed_on: '2023-06-01',
          value: 10,
          note: `${hostile} https://example.org/a?b=1&c="2" javascript:alert(1)`,
          batch_id: 1,
          recorded_at: '2023-06-02T00:00:00.000Z',
          revisions: [],
        },
      ],
      earlier_observations: 0,
      later_observations: 0,
      pace: [],
      forecast: [],
      events: [
        {
          at: '2023-05-31T16:59:59.999Z',
          day: '2023-05-31',
          written: hostile,
          precision: 'month',
          text: hostile,
          source: 'javascript:alert(1)',
        },
      ],
      status_history: [],
      regions: {
        parent: { code: 'VN', name: hostile },
        level: '<b>',
        in_force_at: '2026-01-01T00:00:00.000Z',
        parts: 1,
        reporting: 1,
        items: [
          {
            code: '"79',
            name: hostile,
            value: 5,
            observed_at: '2023-06-01T00:00:00.000Z',
            source: 'direct',
            coverage: 1,
          },
        ],
        missing: [],
      },
    };
    const page = renderTargetPage(detail, undefined, assetUrl, english);
    expectNoInjectedMarkup(page);
    expect(page).toContain(
      '<a href="https://example.org/a?b=1&amp;c=" rel="noopener nofollow">' +
        'example.org/a?b=1&amp;c=</a>&quot;2&quot; javascript:alert(1)',
    );
    expect(page).not.toContain('href="javascript');
    expect(page).toContain('data-region="&quot;79"');
    // The event under the chart: its text as text, its source linked only when it is a web address.
    const events = /<ul id="events">(.*?)<\/ul>/s.exec(page)![1]!;
    expect(events).toContain(`${escapeHtml(hostile)}</time>: ${escapeHtml(hostile)}</li>`);
    expect(events).not.toContain('<a ');
  });

  it('shows the chance to meet on both pages and hands the chart the band at the deadline', () => {
    const list: TargetList = {
      as_of: '2023-06-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directives: [],
      owners: [],
      counts: { missed: 0, off_track: 1, at_risk: 0, no_data: 0, on_track: 0, achieved: 0 },
      total: 1,
      targets: [summary],
    };
    expect(renderDirectivePage(list, {}, assetUrl, english)).toContain(
      '<small class="chance">chance to meet: 12%</small>',
    );
    const detail = {
      as_of: '2023-06-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      timezone: 'Asia/Ho_Chi_Minh',
      directive: { id: 'd', title: 'D', issuer: 'x', issued: '2023-02-23', timezone: 'Asia/Ho_Chi_Minh', url: null },
      target: { ...summary, region_name: 'VN', source: 's', tolerance: 0.1, update_interval_seconds: 86_400 },
      observations: [],
      earlier_observations: 0,
      later_observations: 0,
      pace: [],
      forecast: [
        { at: '2023-06-01T00:00:00.000Z', value: 10 },
        { at: '2023-12-31T17:00:00.000Z', value: 20 },
      ],
      events: [],
      status_history: [],
      regions: {
        parent: { code: 'VN', name: 'VN' },
        level: null,
        in_force_at: '2026-01-01T00:00:00.000Z',
        parts: 0,
        reporting: 0,
        items: [],
        missing: [],
      },
    } satisfies Omit<TargetDetail, 'target'> & { target: Omit<TargetDetail['target'], 'milestones' | 'note'> };
    const page = renderTargetPage(
      { ...detail, target: { ...detail.target, milestones: [], note: null } },
      undefined,
      assetUrl,
      english,
    );
    expect(page).toContain('<dt>Chance to meet</dt><dd><data id="chance" value="0.12">12%</data>');
    expect(page).toContain('<small>80% band 12 to 28</small>');
    const data = JSON.parse(/<script[^>]*id="chart-data"[^>]*>(.*?)<\/script>/s.exec(page)![1]!) as { band: number[] };
    expect(data.band).toEqual([12, 28]);
    expect(page).toContain('80% band at the deadline: 12 to 28; chance to meet the target 12%.');
  });

  /** The JSON the page hands the chart script, and the key under the chart. */
  const chartOf = (page: string) => ({
    data: JSON.parse(/<script[^>]*id="chart-data"[^>]*>(.*?)<\/script>/s.exec(page)![1]!) as {
      forecast: [number, number][];
      band: number[] | null;
      milestones: [number, number, string][];
      events: [number, string, string][];
    },
    key: /<ul class="key">(.*?)<\/ul>/s.exec(page)![1]!,
  });
  const base = {
    timezone: 'Asia/Ho_Chi_Minh',
    directive: { id: 'd', title: 'D', issuer: 'x', issued: '2023-02-23', timezone: 'Asia/Ho_Chi_Minh', url: null },
    earlier_observations: 0,
    later_observations: 0,
    pace: [],
    status_history: [],
    regions: {
      parent: { code: 'VN', name: 'VN' },
      level: null,
      in_force_at: '2026-01-01T00:00:00.000Z',
      parts: 0,
      reporting: 0,
      items: [],
      missing: [],
    },
  };
  const observation = (observed_at: string, value: number) => ({
    observed_at,
    observed_on: observed_at.slice(0, 10),
    value,
    note: null,
    batch_id: null,
    recorded_at: observed_at,
    revisions: [],
  });

  it('marks each milestone met, missed or due on the value at its deadline, and each event on its day', () => {
    const detail: TargetDetail = {
      ...base,
      as_of: '2023-09-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      target: {
        ...summary,
        region_name: 'VN',
        source: 's',
        tolerance: 0.1,
        update_interval_seconds: 86_400,
        note: null,
        milestones: [
          { due: '2023-03-31', deadline: '2023-03-31T17:00:00.000Z', value: 20 },
          { due: '2023-06-30', deadline: '2023-06-30T17:00:00.000Z', value: 50 },
          { due: '2023-10-31', deadline: '2023-10-31T17:00:00.000Z', value: 70 },
        ],
      },
      observations: [observation('2023-03-01T00:00:00.000Z', 25), observation('2023-07-01T00:00:00.000Z', 60)],
      forecast: [],
      events: [
        {
          at: '2023-02-28T16:59:59.999Z',
          day: '2023-02-28',
          written: 'February 2023',
          precision: 'month',
          text: 'A list grew',
          source: 'https://example.org/list',
        },
      ],
    };
    const page = renderTargetPage(detail, undefined, assetUrl, english);
    const { data, key } = chartOf(page);
    const sec = (iso: string) => Date.parse(iso) / 1000;
    // 25 by the end of March meets 20; June's 50 had only March's 25 by its deadline (July's 60 came after).
    expect(data.milestones).toEqual([
      [sec('2023-03-31T17:00:00.000Z'), 20, 'met'],
      [sec('2023-06-30T17:00:00.000Z'), 50, 'missed'],
      [sec('2023-10-31T17:00:00.000Z'), 70, 'due'],
    ]);
    expect(data.events).toEqual([[sec('2023-02-28T16:59:59.999Z'), 'A list grew', 'month']]);
    expect(key).toContain('<li class="k-milestone">');
    expect(key).toContain('<li class="k-event">');
    // No forecast line, so the key names none.
    expect(key).not.toContain('Forecast');
    expect(page).toContain(
      '<li><time datetime="2023-02-28">February 2023</time>: A list grew ' +
        '(<a href="https://example.org/list" rel="noopener nofollow">source</a>)</li>',
    );
  });

  it('draws a forecast past the deadline without the band, which belongs to the value at the deadline', () => {
    const detail: TargetDetail = {
      ...base,
      as_of: '2024-06-30T17:00:00.000Z',
      known_at: null,
      as_of_day: '2023-06-30',
      lang: 'en',
      target: {
        ...summary,
        status: 'missed',
        projected: 10,
        projected_low: 10,
        projected_high: 10,
        region_name: 'VN',
        source: 's',
        tolerance: 0.1,
        update_interval_seconds: 86_400,
        note: null,
        milestones: [],
      },
      observations: [observation('2024-03-01T00:00:00.000Z', 40)],
      forecast: [
        { at: '2024-03-01T00:00:00.000Z', value: 40 },
        { at: '2024-06-30T17:00:00.000Z', value: 55 },
      ],
      events: [],
    };
    const page = renderTargetPage(detail, undefined, assetUrl, english);
    const { data, key } = chartOf(page);
    expect(data.forecast).toHaveLength(2);
    expect(data.band).toBeNull();
    expect(key).toContain('<li class="k-forecast">');
    expect(key).not.toContain('k-band');
    expect(page).toContain('Forecast after the deadline: 55 by 1 Jul 2024 at the latest pace.');
  });
});

describe('the pages in Vietnamese', () => {
  const vietnamese: PageLanguage = { format: new Formatter('vi', 'Asia/Ho_Chi_Minh'), lang: 'vi' };
  const target: TargetSummary = {
    ...summary,
    target: 'vneid-accounts-40m',
    title: '40 triệu tài khoản định danh điện tử VNeID',
    target_value: 40_000_000,
    current: 12_500_000,
    projected: 30_777_778,
    due: '2023-06-30',
    projected_completion: '2023-10-27',
    explanation: 'Theo tốc độ 77.778 mỗi ngày, dự báo đạt 30.777.778/40.000.000 vào 30/06/2023 (68,1%).',
  };
  const list: TargetList = {
    as_of: '2023-06-30T16:59:59.999Z',
    known_at: null,
    as_of_day: '2023-06-30',
    lang: 'vi',
    timezone: 'Asia/Ho_Chi_Minh',
    directives: [],
    owners: [],
    counts: { missed: 0, off_track: 1, at_risk: 0, no_data: 0, on_track: 0, achieved: 0 },
    total: 1,
    targets: [target],
  };

  it('writes the directive page in Vietnamese, numbers and days as Vietnamese readers write them', () => {
    const page = renderDirectivePage(list, { at: '2023-06-30', lang: 'vi' }, assetUrl, vietnamese);
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('>Chậm tiến độ</span>');
    expect(page).toContain('40.000.000');
    expect(page).toContain('<time datetime="2023-06-30">30/06/2023</time>');
    expect(page).toContain('<time datetime="2023-10-27">27/10/2023</time>');
    expect(page).not.toMatch(/T\d\d:\d\d:\d\d(\.\d+)?Z/);
    // Links keep the language asked for, and the switch offers English for the same view.
    expect(page).toContain('href="/targets/vneid-accounts-40m?at=2023-06-30&amp;lang=vi"');
    expect(page).toContain('<input type="hidden" name="lang" value="vi">');
    expect(page).toContain('href="/?at=2023-06-30&amp;lang=en" hreflang="en" lang="en" data-lang="en">English</a>');
    expect(page).toContain('href="/reports/scorecard.xlsx?at=2023-06-30&amp;lang=vi"');
  });

  it('keeps an owner filter named in English selected on the Vietnamese page', () => {
    const owned = { ...list, owners: ['Bộ Công an', 'Bộ Nội vụ'], targets: [{ ...target, owner: 'Bộ Công an' }] };
    const page = renderDirectivePage(
      owned,
      { owner: ['Ministry of Public Security'], lang: 'vi' },
      assetUrl,
      vietnamese,
    );
    expect(page).toContain('<option selected>Bộ Công an</option>');
    expect(page).toContain('<option>Bộ Nội vụ</option>');
  });
});
