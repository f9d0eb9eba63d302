import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDay } from '../../src/evaluation/as-of.js';
import { messages } from '../../src/domain/language/messages.js';
import { statusLabels } from '../../src/scorecard/scorecard-format.js';
import { targetDetailSchema, targetListSchema } from '../../src/scorecard/scorecard-schema.js';
import { startDemoPacer, type RunningChild } from '../support/pacer-process.js';
import { servicesRequired } from '../support/services.js';

/**
 * Debian's chromium (`apt-get install chromium`; `.ci/run` installs it): playwright-core drives it, nothing is
 * downloaded.
 */
const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
const artifacts = path.resolve('test-artifacts');
const rgb = { target: [21, 128, 61], deadline: [185, 28, 28], observed: [29, 78, 216], event: [162, 28, 175] } as const;

/** What the page's script exposes as `window.pacerChart` (a uPlot instance), as far as the tests use it. */
interface Chart {
  series: { label?: string }[];
  axes: { values: (u: Chart, splits: number[], axis: number, space: number, incr: number) => string[] }[];
  setCursor(position: { left: number; top: number }): void;
  valToPos(value: number, scale: string, canvasPixels: boolean): number;
  bbox: { left: number; top: number; width: number; height: number };
  ctx: { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

/** What the chart canvas shows along a line: how many sampled points have the colour (±40 per channel). */
async function colourHits(
  page: Page,
  probe: { value: number; axis: 'x' | 'y'; colour: readonly number[] },
): Promise<{ hits: number; samples: number }> {
  return page.evaluate(({ value, axis, colour }) => {
    const u = (globalThis as unknown as { pacerChart: Chart }).pacerChart;
    const at = Math.round(u.valToPos(value, axis, true));
    let hits = 0;
    let samples = 0;
    for (let f = 0.3; f <= 0.701; f += 0.05) {
      samples++;
      const across =
        axis === 'y' ? Math.round(u.bbox.left + u.bbox.width * f) : Math.round(u.bbox.top + u.bbox.height * f);
      const found = [-1, 0, 1].some((d) => {
        const px =
          axis === 'y' ? u.ctx.getImageData(across, at + d, 1, 1).data : u.ctx.getImageData(at + d, across, 1, 1).data;
        return [0, 1, 2].every((i) => Math.abs(px[i]! - colour[i]!) < 40);
      });
      if (found) hits++;
    }
    return { hits, samples };
  }, probe);
}

describe.skipIf(!hasChromium && !servicesRequired)(
  `the scorecard in Chromium${hasChromium ? '' : ` (skipped: no ${chromiumPath}; apt-get install chromium)`}`,
  () => {
    let server: RunningChild;
    let browser: Browser;
    let cleanup: () => Promise<void>;
    const problems: string[] = [];

    beforeAll(async () => {
      if (!hasChromium)
        throw new Error(`PACER_REQUIRE_SERVICES=1 but ${chromiumPath} is missing: apt-get install chromium`);
      await mkdir(artifacts, { recursive: true });
      ({ server, cleanup } = await startDemoPacer('browser'));
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (server) expect(await server.stop()).toBe(0);
      await cleanup?.();
      expect(problems, 'console errors, failed requests or page errors').toEqual([]);
    });

    async function open(
      url: string,
      options: { javaScript?: boolean } = {},
    ): Promise<{ page: Page; bytes: () => number }> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        javaScriptEnabled: options.javaScript ?? true,
      });
      const page = await context.newPage();
      let bytes = 0;
      page.on('console', (m) => m.type() === 'error' && problems.push(`${url}: console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`${url}: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`${url}: request failed: ${r.url()}`));
      page.on(
        'response',
        (r) =>
          void r.body().then(
            (b) => (bytes += b.length),
            () => undefined,
          ),
      );
      await page.goto(`${server.baseUrl}${url}`);
      return { page, bytes: () => bytes };
    }

    const api = async (url: string) => (await fetch(`${server.baseUrl}${url}`)).json();

    it('lists every Directive 05 target on / with its status in words and the reason under it, in 300 KB', async () => {
      const list = targetListSchema.parse(await api('/v1/targets'));
      expect(list.targets).toHaveLength(18);
      const { page, bytes } = await open('/');
      await expect.poll(() => page.locator('#targets tbody tr').count()).toBe(18);
      for (const t of list.targets) {
        const row = page.locator(`#targets tr[data-target="${t.target}"]`);
        expect(await row.locator('.badge').textContent(), t.target).toBe(statusLabels[t.status]);
        expect(await row.locator('td:nth-child(2) a').textContent()).toBe(t.title);
        const why = row.locator('.why');
        expect(await why.textContent(), t.target).toBe(t.explanation);
        expect(await why.getAttribute('data-reason')).toBe(t.reason);
        expect(await why.isVisible(), `${t.target}: the explanation is shown`).toBe(true);
      }
      await page.waitForLoadState('networkidle');
      expect(bytes()).toBeGreaterThan(10_000);
      expect(bytes()).toBeLessThan(300 * 1024);
      await page.context().close();
    });

    it(
      'charts the 40-million target (observations, pace, forecast, ' +
        'target level, deadline) and shows the projection the API gives',
      async () => {
        const detail = targetDetailSchema.parse(await api('/v1/targets/vneid-accounts-40m?at=2023-06-30'));
        const { page } = await open('/targets/vneid-accounts-40m?at=2023-06-30');
        await page.locator('#target-chart[data-rendered="true"] canvas').waitFor();
        const labels = await page.evaluate(() =>
          (globalThis as unknown as { pacerChart: Chart }).pacerChart.series.map((s) => s.label),
        );
        expect(labels.slice(1)).toEqual(['Expected pace', 'Forecast', 'Target', 'Observed']);

        // The drawn canvas itself: a green line at 40 million, a red line at the deadline, blue dots at the
        // observations.
        const target = await colourHits(page, { value: 40_000_000, axis: 'y', colour: rgb.target });
        expect(target.hits).toBeGreaterThanOrEqual(target.samples - 1);
        const deadline = await colourHits(page, {
          value: Date.parse(detail.target.deadline) / 1000,
          axis: 'x',
          colour: rgb.deadline,
        });
        expect(deadline.hits).toBeGreaterThanOrEqual(deadline.samples - 1);
        const dot = await page.evaluate(
          ({ at, value }) => {
            const u = (globalThis as unknown as { pacerChart: Chart }).pacerChart;
            return Array.from(
              u.ctx.getImageData(Math.round(u.valToPos(at, 'x', true)), Math.round(u.valToPos(value, 'y', true)), 1, 1)
                .data,
            ).slice(0, 3);
          },
          { at: Date.parse(detail.observations[1]!.observed_at) / 1000, value: detail.observations[1]!.value },
        );
        expect(
          dot.every((c, i) => Math.abs(c - rgb.observed[i]!) < 40),
          `observation dot colour ${dot}`,
        ).toBe(true);

        const projected = page.locator('#projected');
        expect(Number(await projected.getAttribute('value'))).toBe(detail.target.projected);
        expect(await projected.textContent()).toBe('30,777,778');
        expect(await page.locator('.sub .badge').textContent()).toBe('Off track');
        expect(await page.locator('#explanation').textContent()).toBe(detail.target.explanation);
        expect(await page.locator('#explanation').textContent()).toContain('short beyond the 10.0% tolerance');
        expect(await page.locator('#regions li[data-region="79"] span[lang="vi"]').textContent()).toBe(
          'Thành phố Hồ Chí Minh',
        );
        await page.screenshot({ path: path.join(artifacts, 'scorecard-target-40m-2023-06-30.png'), fullPage: true });
        await page.context().close();
      },
    );

    it('re-evaluates at the date picked: off_track at the end of 30 June 2023, missed today', async () => {
      const { page } = await open('/targets/vneid-accounts-40m');
      const badge = page.locator('.sub .badge');
      expect(await badge.textContent()).toBe('Missed');
      await page.fill('input[name="at"]', '2023-06-30');
      await page.click('button[type="submit"]');
      await page.waitForURL(/\/targets\/vneid-accounts-40m\?at=2023-06-30$/);
      expect(await badge.textContent()).toBe('Off track');
      await page.locator('#target-chart[data-rendered="true"] canvas').waitFor();
      await page.fill('input[name="at"]', calendarDay(Date.now(), 'Asia/Ho_Chi_Minh')!);
      await page.click('button[type="submit"]');
      await page.waitForURL(/at=\d{4}-\d{2}-\d{2}$/);
      expect(await badge.textContent()).toBe('Missed');
      await page.context().close();

      // The directive page: the same date, then a status filter, through the plain GET form.
      const directive = (await open('/')).page;
      await directive.fill('input[name="at"]', '2023-06-30');
      await directive.click('button[type="submit"]');
      await directive.waitForURL(/\?at=2023-06-30/);
      expect(await directive.locator('tr[data-target="vneid-accounts-40m"] .badge').textContent()).toBe('Off track');
      // A task nobody reported on has no data, and its row says why.
      const egov = directive.locator('tr[data-target="mic-egov-architecture"]');
      expect(await egov.locator('.badge').textContent()).toBe('No data');
      expect(await egov.locator('.why').textContent()).toBe('No report on this task yet; it is due 30 Sept 2023.');
      await directive.screenshot({ path: path.join(artifacts, 'scorecard-directive-2023-06-30.png'), fullPage: true });
      await directive.check('input[name="status"][value="missed"]');
      await directive.click('button[type="submit"]');
      await directive.waitForURL(/status=missed/);
      const statuses = await directive
        .locator('#targets tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      expect(statuses).toEqual(Array(8).fill('missed'));
      await directive.context().close();
    });

    const labelsOf = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as { pacerChart: Chart }).pacerChart.series.map((s) => s.label));

    it('draws the forecast whenever the evaluation has one, past the deadline too, and keys only that', async () => {
      // The villages: missed at the end of 2023, figures since: the forecast runs on from the latest (717).
      const villages = (await open('/targets/villages-mobile-coverage-266?at=2025-06-30')).page;
      await villages.locator('#target-chart[data-rendered="true"] canvas').waitFor();
      expect(await labelsOf(villages)).toContain('Forecast');
      expect(await villages.locator('.key .k-forecast').count()).toBe(1);
      expect(await villages.locator('figure.chart figcaption').textContent()).toContain('Forecast after the deadline');
      await villages.screenshot({ path: path.join(artifacts, 'scorecard-villages-2025-06-30.png'), fullPage: true });
      await villages.context().close();
      // No value ever reported: no forecast, and neither the chart nor its key names one.
      const none = (await open('/targets/ehealth-records-integrated-70pct?at=2025-06-30')).page;
      await none.locator('#target-chart[data-rendered="true"] canvas').waitFor();
      expect(await labelsOf(none)).not.toContain('Forecast');
      expect(await none.locator('.key .k-forecast').count()).toBe(0);
      await none.context().close();
    });

    it('writes the chart dates in the page language and marks the catalog events of the target', async () => {
      const url = '/targets/vneid-accounts-40m?at=2023-06-30';
      const detail = targetDetailSchema.parse(await api(`/v1${url}`));
      const at = Date.parse(detail.observations[1]!.observed_at) / 1000;
      /** The readout with the cursor on the 7 November 2022 observation, and a month tick of that date. */
      const dates = async (page: Page) => {
        const month = await page.evaluate((t) => {
          const u = (globalThis as unknown as { pacerChart: Chart }).pacerChart;
          u.setCursor({ left: u.valToPos(t, 'x', false), top: 10 });
          return u.axes[0]!.values(u, [t], 0, 80, 31 * 86_400)[0];
        }, at);
        return { readout: await page.locator('#chart-readout').textContent(), month };
      };

      const english = (await open(url)).page;
      await english.locator('#target-chart[data-rendered="true"] canvas').waitFor();
      const en = await dates(english);
      expect(en.readout).toMatch(/^7 Nov 2022 · /);
      expect(en.readout).toContain('Observed: 12,500,000');
      expect(en.month).toBe('Nov 2022');
      // The events: listed under the chart, and a line in their colour at the decree's day.
      expect(await english.locator('#events li').allTextContents()).toEqual([
        expect.stringMatching(/^20 Oct 2022: Decree 59\/2022/),
        expect.stringMatching(/^23 Feb 2023: Directive 05\/CT-TTg issued/),
      ]);
      const decree = await colourHits(english, {
        value: Date.parse(detail.events[0]!.at) / 1000,
        axis: 'x',
        colour: rgb.event,
      });
      expect(decree.hits).toBeGreaterThanOrEqual(3);
      await english.context().close();

      // The same page in Vietnamese (<html lang="vi">): day/month/year.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const vietnamese = await context.newPage();
      await vietnamese.route(`${server.baseUrl}${url}`, async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace('<html lang="en">', '<html lang="vi">');
        await route.fulfill({ response, body });
      });
      await vietnamese.goto(`${server.baseUrl}${url}`);
      await vietnamese.locator('#target-chart[data-rendered="true"] canvas').waitFor();
      const vi = await dates(vietnamese);
      expect(vi.readout).toMatch(/^07\/11\/2022 · /);
      expect(vi.month).toBe('11/2022');
      expect(await labelsOf(vietnamese)).toContain('Dự báo');
      await context.close();
    });
    it.each([
      {
        lang: 'vi' as const,
        count: '40.000.000',
        day: '30/06/2023',
        status: 'Chậm tiến độ',
        other: 'Off track',
        explains: 'Theo tốc độ',
      },
      {
        lang: 'en' as const,
        count: '40,000,000',
        day: '30 Jun 2023',
        status: 'Off track',
        other: 'Chậm tiến độ',
        explains: 'At ',
      },
    ])(
      'reads in $lang on / and on a target page: status names, numbers and days in the language, no UTC instant',
      async ({ lang, count, day, status, other, explains }) => {
        const say = messages[lang];
        for (const [url, name] of [
          [`/?at=2023-06-30&lang=${lang}`, 'directive'],
          [`/targets/vneid-accounts-40m?at=2023-06-30&lang=${lang}`, 'target-40m'],
        ] as const) {
          const { page } = await open(url);
          await page.waitForLoadState('networkidle');
          expect(await page.locator('html').getAttribute('lang')).toBe(lang);
          const text = await page.locator('body').innerText();
          expect(text, url).toContain(status);
          expect(text, url).toContain(count);
          expect(text, url).toContain(day);
          expect(text, url).not.toContain(other);
          // Not in the text, not in an attribute, not in the chart's data: no UTC instant anywhere.
          expect(await page.content(), url).not.toMatch(/T\d\d:\d\d:\d\d(\.\d+)?Z/);
          const why =
            name === 'directive'
              ? page.locator('tr[data-target="vneid-accounts-40m"] .why')
              : page.locator('#explanation');
          expect(await why.textContent(), url).toMatch(new RegExp(`^${explains}`));
          // The switch leads to the same view in the other language.
          const switchLink = page.locator('nav.languages a');
          expect(await switchLink.getAttribute('hreflang')).toBe(lang === 'vi' ? 'en' : 'vi');
          await page.screenshot({ path: path.join(artifacts, `scorecard-${name}-${lang}.png`), fullPage: true });
          await page.context().close();
        }
        const { page } = await open(`/?at=2023-06-30&lang=${lang}`);
        await page.locator('nav.languages a').click();
        await page.waitForURL(new RegExp(`lang=${lang === 'vi' ? 'en' : 'vi'}$`));
        expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'vi' ? 'en' : 'vi');
        expect(await page.locator('input[name="at"]').inputValue()).toBe('2023-06-30');
        expect(await page.locator('#targets th').first().textContent()).not.toBe(say.page.head.status);
        await page.context().close();
      },
    );

    it('works without JavaScript: the tables, the figures and the chart in words', async () => {
      const { page } = await open('/?at=2023-06-30', { javaScript: false });
      expect(await page.locator('#targets tbody tr').count()).toBe(18);
      await page.goto(`${server.baseUrl}/targets/vneid-accounts-40m?at=2023-06-30`);
      expect(await page.locator('#observations tbody tr').count()).toBe(2);
      expect(await page.locator('#projected').textContent()).toBe('30,777,778');
      expect(await page.locator('figure.chart figcaption').textContent()).toContain(
        'Forecast: 30,777,778 at the deadline, reaching the target on 27 Oct 2023.',
      );
      expect(await page.locator('figure.chart noscript').count()).toBe(1);
      expect(await page.locator('#target-chart canvas').count()).toBe(0);
      await page.context().close();
    });
  },
);
