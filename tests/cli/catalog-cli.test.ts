import { describe, expect, it } from 'vitest';
import { runPacerCli } from '../support/pacer-process.js';

describe('pacer catalog validate', () => {
  it('exits 0 on the shipped catalog and says what it holds', async () => {
    const result = await runPacerCli(['catalog', 'validate', 'catalog/']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('catalog/: valid — 1 directive(s), 18 targets, 27 indicators');
  });

  it('exits 1 on a broken catalog and lists every error as file:line field: message', async () => {
    const result = await runPacerCli(['catalog', 'validate', 'tests/fixtures/catalogs/broken']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toContain(
      'tests/fixtures/catalogs/broken/directive.yaml:17 targets[0].due: expected a date or YYYY-MM, got "Juen 2023"',
    );
    expect(lines).toContain(
      'tests/fixtures/catalogs/broken/directive.yaml:20 targets[1].indicator: unknown indicator "accounts_isued"',
    );
    expect(
      lines.some((l) =>
        l.startsWith(
          'tests/fixtures/catalogs/broken/directive.yaml:26 targets[2].id: duplicate target id "misspelt-month"',
        ),
      ),
    ).toBe(true);
    expect(lines.at(-1)).toMatch(/^tests\/fixtures\/catalogs\/broken: 16 errors in \d+ file\(s\)$/);
  });

  it('exits 1 when the directory does not exist', async () => {
    const result = await runPacerCli(['catalog', 'validate', 'no/such/dir']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no/such/dir not a directory');
  });

  it('prints help for every command', async () => {
    for (const args of [
      ['--help'],
      ['start', '--help'],
      ['migrate', '--help'],
      ['catalog', '--help'],
      ['catalog', 'apply', '--help'],
      ['regions', 'successors', '--help'],
    ]) {
      const result = await runPacerCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: pacer');
    }
  });

  it('exits 1 with a message naming the variable when the environment is invalid', async () => {
    const result = await runPacerCli(['catalog', 'plan'], { PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
  });

  it('exits 1 on an unknown command or option', async () => {
    expect((await runPacerCli(['catalog', 'frobnicate'])).code).toBe(1);
    expect((await runPacerCli(['start', '--rolez', 'api'])).code).toBe(1);
    const badRole = await runPacerCli(['start', '--roles', 'api,cook'], { PACER_DATA_DIR: 'memory://' });
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('unknown role(s) cook');
  });
});
