import { writeFile } from 'node:fs/promises';
import type { Logger } from '../logging/logger.js';

/**
 * Liveness for processes without HTTP (workers, schedulers): every `everyMs` the process checks
 * itself and, when healthy, writes the time to `file`. A container health check reads the file's
 * age, so a process that hangs or has lost its database or Redis goes unhealthy.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { file: string; everyMs: number; healthy: () => Promise<boolean>; logger: Logger },
  ) {}

  start(): void {
    const beat = async () => {
      const ok = await this.options.healthy().catch(() => false);
      if (ok)
        await writeFile(this.options.file, `${new Date().toISOString()}\n`).catch((error: unknown) =>
          this.options.logger.warn({ err: error, file: this.options.file }, 'cannot write the heartbeat file'),
        );
      else this.options.logger.warn('unhealthy: heartbeat skipped');
    };
    void beat();
    this.timer = setInterval(() => void beat(), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
