import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Compares `actual` with the committed golden file. `UPDATE_GOLDEN=1 npm test` rewrites the
 * files; review the diff before committing it.
 */
export async function expectGolden(file: string, actual: string): Promise<void> {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file))
      throw new Error(`golden file ${file} is missing; run UPDATE_GOLDEN=1 npm test and commit it`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
  }
  expect(actual).toBe(await readFile(file, 'utf8'));
}
