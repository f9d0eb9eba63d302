import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Formatter } from '../../src/domain/language/formatter.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetListSchema, type TargetList } from '../../src/scorecard/scorecard-schema.js';
import { which } from '../support/binaries.js';
import { startDemoPacer, type RunningChild } from '../support/pacer-process.js';
import { servicesRequired } from '../support/services.js';

/**
 * The directive page printed as Chromium prints it (print-to-PDF, A4 landscape), read back with poppler's
 * `pdfinfo` and `pdftotext`: the page size, the page count, every row whole on some page, and the table's
 * last column on every page.
 */
/** The page is in English: days as it writes them (27 Oct 2023). */
const english = new Formatter('en', 'Asia/Ho_Chi_Minh');
const chromiumPath = which('chromium') ?? '/usr/bin/chromium';
const pdftotext = which('pdftotext');
const pdfinfo = which('pdfinfo');
const missing = [
  ...(which('chromium') || chromiumPath === '/usr/bin/chromium' ? [] : ['chromium']),
  ...(pdftotext && pdfinfo ? [] : ['poppler-utils']),
];
const artifacts = path.resolve('test-artifacts');
// A4 is 210 × 297 mm: 595.28 × 841.89 points, on its side here. The stylesheet's page margin is 10 mm.
const a4 = { width: 841.89, height: 595.28 };
const margin = (10 / 25.4) * 72;

/** One page's text, laid out as printed. */
const pageText = (file: string, page: number) =>
  execFileSync(pdftotext!, ['-layout', '-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' });

/** Every word's box on every page, in points. */
function wordBoxes(file: string): { page: number; word: string; xMin: number; xMax: number }[] {
  const xhtml = execFileSync(pdftotext!, ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const boxes: { page: number; word: string; xMin: number; xMax: number }[] = [];
  let page = 0;
  for (const line of xhtml.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)<\/word>/.exec(line);
    if (m) boxes.push({ page, word: m[3]!, xMin: Number(m[1]), xMax: Number(m[2]) });
  }
  return boxes;
}

describe.skipIf(missing.length > 0 && !servicesRequired)(
  `the directive page printed to PDF${missing.length > 0 ? ` (skipped: no ${missing.join(', ')})` : ''}`,
  () => {
    let server: RunningChild;
    let browser: Browser;
    let cleanup: () => Promise<void>;
    let list: TargetList;
    let pdf: string;
    let pages: number;

    beforeAll(async () => {
      if (missing.length > 0) throw new Error(`PACER_REQUIRE_SERVICES=1 but ${missing.join(', ')} is missing`);
      await mkdir(artifacts, { recursive: true });
      ({ server, cleanup } = await startDemoPacer('print'));
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      });
      list = targetListSchema.parse(await (await fetch(`${server.baseUrl}/v1/targets?at=2023-06-30`)).json());
      const page = await browser.newPage();
      await page.goto(`${server.baseUrl}/?at=2023-06-30`);
      pdf = path.join(artifacts, 'scorecard-directive-2023-06-30-a4-landscape.pdf');
      await writeFile(pdf, await page.pdf({ format: 'A4', landscape: true, preferCSSPageSize: true }));
      await page.close();
      const info = execFileSync(pdfinfo!, [pdf], { encoding: 'utf8' });
      pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
    });
    afterAll(async () => {
      await browser?.close();
      if (server) expect(await server.stop()).toBe(0);
      await cleanup?.();
    });

    it('prints on A4 landscape pages, more than one for the 18 targets and at least two rows a page', () => {
      const info = execFileSync(pdfinfo!, [pdf], { encoding: 'utf8' });
      const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info)!;
      expect(Number(size[1])).toBeCloseTo(a4.width, 0);
      expect(Number(size[2])).toBeCloseTo(a4.height, 0);
      expect(list.targets).toHaveLength(18);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBeLessThanOrEqual(9);
    });

    it('repeats the header row, first to last column, at the top of every page', () => {
      for (let p = 1; p <= pages; p++) {
        const text = pageText(pdf, p);
        expect(text, `page ${p}`).toMatch(/Status\s+Target\s+Owner\s+Due\s+Current\s+Target/);
        expect(text, `page ${p}`).toMatch(/Projected at deadline\s+completion/);
      }
    });

    it('prints every row whole on one page, its last column included', () => {
      const texts = Array.from({ length: pages }, (_, i) => pageText(pdf, i + 1));
      for (const t of list.targets) {
        const on = texts.filter((text) => text.includes(t.target));
        expect(on, t.target).toHaveLength(1);
        // The last column: the projected completion, or why there is none.
        const page = on[0]!;
        if (t.projected_completion) expect(page, t.target).toContain(english.calendarDay(t.projected_completion));
      }
      // Each row's first line starts with its status and ends with its last column: — where there is no completion.
      const noCompletion = list.targets.filter((t) => t.kind === 'milestone' || t.projected_completion === null);
      const rowLines = texts.flatMap((text) =>
        text
          .split('\n')
          .filter((l) => /^\s*(Missed|Off track|At risk|No data|On track|Achieved)\s{2,}\S/.test(l))
          // Not the counts by status above the table (Missed 8 Off track 1 ... Achieved 0).
          .filter((l) => !/\bAchieved\s+\d+\s*$/.test(l)),
      );
      expect(rowLines).toHaveLength(list.targets.length);
      const printed = rowLines.filter((l) => l.trimEnd().endsWith(' —'));
      expect(printed).toHaveLength(noCompletion.length);
      expect(list.targets.some((t) => t.projected_completion !== null)).toBe(true);
    });

    it('cuts no column: every word lies inside the page margins', () => {
      const boxes = wordBoxes(pdf);
      expect(boxes.length).toBeGreaterThan(500);
      const outside = boxes.filter((b) => b.xMin < margin - 1 || b.xMax > a4.width - margin + 1);
      expect(outside).toEqual([]);
      // The rightmost words are the last column's: near the right margin, so the table spans the page.
      const right = Math.max(...boxes.map((b) => b.xMax));
      expect(right).toBeGreaterThan(a4.width - margin - 60);
    });
  },
);
