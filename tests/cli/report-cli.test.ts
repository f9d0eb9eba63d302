import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemoDatabase } from '../support/demo-database.js';
import { runPacerCli } from '../support/pacer-process.js';
import { defaultBackend } from '../support/test-database.js';

const backend = await defaultBackend();
const golden = (ext: string) => readFile(`tests/reports/golden/scorecard-2023-06-30.${ext}`, 'utf8');

describe(`pacer report on ${backend}`, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dir: string;
  beforeAll(async () => {
    ({ env, drop } = await prepareDemoDatabase(backend, 'report_cli'));
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-report-cli-'));
  });
  afterAll(async () => {
    await drop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints Markdown and CSV on stdout, byte for byte the reports of the date (the golden files)', async () => {
    const [md, csv] = await Promise.all([
      runPacerCli(['report', '--at', '2023-06-30', '--format', 'md'], env),
      runPacerCli(['report', '--at', '2023-06-30', '--format', 'csv', '--lang', 'en'], env),
    ]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toBe(await golden('md'));
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe(await golden('csv'));
  });

  it('writes the report in Vietnamese with --lang vi, or by the locale (the golden file)', async () => {
    const [byOption, byLocale] = await Promise.all([
      runPacerCli(['report', '--at', '2023-06-30', '--format', 'md', '--lang', 'vi'], env),
      runPacerCli(['report', '--at', '2023-06-30', '--format', 'md'], { ...env, LC_ALL: 'vi_VN.UTF-8' }),
    ]);
    expect(byOption.code, byOption.stderr).toBe(0);
    expect(byOption.stdout).toBe(await golden('vi.md'));
    expect(byLocale.stdout).toBe(byOption.stdout);
  });

  it('writes a workbook to scorecard-DATE.xlsx in the current directory when no --out is given', async () => {
    const result = await runPacerCli(['report', '--at', '2023-06-30', '--format', 'xlsx'], env, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('wrote scorecard-2023-06-30.xlsx (as of 2023-06-30, Asia/Ho_Chi_Minh)\n');
    expect(await readdir(dir)).toEqual(['scorecard-2023-06-30.xlsx']);
    expect((await readFile(path.join(dir, 'scorecard-2023-06-30.xlsx'))).subarray(0, 2).toString()).toBe('PK');
  });

  it('rejects an unknown format, language or date with exit 1 and a message naming the option', async () => {
    const [format, lang, date] = await Promise.all([
      runPacerCli(['report', '--format', 'pdf'], env),
      runPacerCli(['report', '--format', 'md', '--lang', 'fr'], env),
      runPacerCli(['report', '--format', 'md', '--at', '2023-02-30'], env),
    ]);
    expect(format).toMatchObject({ code: 1, stdout: '' });
    expect(format.stderr).toMatch(/error: --format: Invalid option: expected one of "xlsx"\|"csv"\|"md"/);
    expect(lang).toMatchObject({ code: 1, stdout: '' });
    expect(lang.stderr).toContain('error: --lang: expected one of en, vi, got "fr"');
    expect(date).toMatchObject({ code: 1, stdout: '' });
    expect(date.stderr).toContain('error: --at: expected YYYY-MM-DD or an ISO date-time, got "2023-02-30"');
  });
});
