import { describe, expect, it } from 'vitest';
import { renderDirectivePage } from '../../src/scorecard/html/directive-page.js';
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

  it('renders hostile notes, region names and series on the target page as text, linking only web addresses', () => {
    const detail: TargetDetail = {
      as_of: '2023-06-30T17:00:00.000Z',
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
  });

  it('shows the chance to meet on both pages and hands the chart the band at the deadline', () => {
    const list: TargetList = {
      as_of: '2023-06-30T17:00:00.000Z',
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
