import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, pacerBin } from '../support/pacer-process.js';

describe('the heartbeat of a role without HTTP', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is written while a worker runs and is healthy, so a container health check can read its age', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pacer-heartbeat-'));
    dirs.push(dir);
    const file = path.join(dir, 'heartbeat');
    const child = spawn(process.execPath, [pacerBin, 'start', '--roles', 'worker'], {
      env: childEnv({ PACER_DATA_DIR: path.join(dir, 'data'), PACER_DEMO_DATA: 'false', PACER_HEARTBEAT_FILE: file }),
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let written: Date | undefined;
      for (let i = 0; i < 150 && !written; i++) {
        written = await stat(file).then(
          (s) => s.mtime,
          () => undefined,
        );
        if (!written) await new Promise((r) => setTimeout(r, 200));
      }
      expect(written, 'no heartbeat within 30 s').toBeDefined();
      expect(Date.now() - written!.getTime()).toBeLessThan(30_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
