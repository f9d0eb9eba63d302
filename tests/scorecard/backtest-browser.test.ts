import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBacktestCatalog } from '../support/backtest-fixture.js';
import { startPacer, type RunningChild } from '../support/pacer-process.js';
import { servicesRequired } from '../support/services.js';
import { defaultBackend } from '../support/test-database.js';

const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
const artifacts = path.resolve('test-artifacts');

/**
 * The page `/backtest` in Chromium, on the synthetic catalog of tests/evaluation/backtest.test.ts: 9 steps gave a
 * chance of 0 (none achieved) and 11 a chance of 1 (5 achieved, 45.5%).
 */
describe.skipIf(!hasChromium && !servicesRequired)(
  `the backtest page in Chromium${hasChromium ? '' : ` (skipped: no ${chromiumPath}; apt-get install chromium)`}`,
  () => {
    let root: string;
    let drop: () => Promise<void>;
    let server: RunningChild;
    let browser: Browser;
    const problems: string[] = [];

    beforeAll(async () => {
      if (!hasChromium)
        throw new Error(`PACER_REQUIRE_SERVICES=1 but ${chromiumPath} is missing: apt-get install chromium`);
      await mkdir(artifacts, { recursive: true });
      root = await mkdtemp(path.join(tmpdir(), 'pacer-backtest-browser-'));
      const prepared = await prepareBacktestCatalog(await defaultBackend(), root);
      drop = prepared.drop;
      server = await startPacer(prepared.env);
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (server) expect(await server.stop()).toBe(0);
      await drop?.();
      await rm(root, { recursive: true, force: true });
      expect(problems, 'console errors, failed requests or page errors').toEqual([]);
    });

    it('draws the reliability chart: chance 0 in the corner, chance 1 at 45% achieved', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(`${server.baseUrl}/backtest?from=2022-12-31&to=2023-12-31&every=1mo`);
      expect(await page.locator('h1').textContent()).toBe('How reliable were the forecasts?');
      expect(await page.locator('#accuracy strong').textContent()).toBe('70.0%');
      const chart = page.locator('svg.reliability');
      expect(await chart.isVisible()).toBe(true);
      const dots = await page.locator('svg.reliability circle.bin').evaluateAll((circles) =>
        circles.map((c) => {
          const box = c.getBoundingClientRect();
          return { steps: c.getAttribute('data-steps'), x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }),
      );
      expect(dots.map((d) => d.steps)).toEqual(['9', '11']);
      const [zero, one] = dots as [(typeof dots)[0], (typeof dots)[0]];
      const frame = (await page.locator('svg.reliability rect').boundingBox())!;
      // Chance 0, none achieved: the bottom-left corner; chance 1, 45.5% achieved: the right edge, near half height.
      expect(Math.abs(zero.x - frame.x)).toBeLessThan(2);
      expect(Math.abs(zero.y - (frame.y + frame.height))).toBeLessThan(2);
      expect(Math.abs(one.x - (frame.x + frame.width))).toBeLessThan(2);
      expect(Math.abs(one.y - (frame.y + frame.height * (1 - 5 / 11)))).toBeLessThan(2);
      expect(await page.locator('#backtest-targets tbody tr').count()).toBe(3);
      await page.screenshot({ path: path.join(artifacts, 'backtest.png'), fullPage: true });
      await page.close();
    });
  },
);
