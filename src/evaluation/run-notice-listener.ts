import type pg from 'pg';
import { notifyChannels } from '../conventions.js';
import type { Logger } from '../logging/logger.js';
import type { RunNotice } from './evaluation-store.js';

/**
 * Listens on `notifyChannels.evaluation` on a PostgreSQL connection of its own, so an api process
 * hears of a run saved by a worker anywhere within milliseconds of its commit. Notices of other
 * schemas (another Pacer in the same database) are ignored. A lost connection is reopened after
 * `retryMs`; `onListening` runs on every (re)connection, since notices sent meanwhile are lost.
 */
export class RunNoticeListener {
  private client: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      logger: Logger;
      retryMs?: number;
    },
  ) {}

  start(handlers: { onNotice(notice: RunNotice): void; onListening(): void }): void {
    this.stopped = false;
    void this.connect(handlers);
  }

  private async connect(handlers: { onNotice(notice: RunNotice): void; onListening(): void }): Promise<void> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.deps.pool.connect();
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      const schema = rows[0]!.schema;
      client.on('notification', (message) => {
        if (message.channel !== notifyChannels.evaluation || !message.payload) return;
        const notice = parseNotice(message.payload);
        if (notice?.schema === schema) handlers.onNotice(notice);
      });
      const lost = (error: unknown) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.deps.logger.warn({ err: error }, 'lost the connection listening for evaluations; reconnecting');
        client!.release(error instanceof Error ? error : true);
        this.retry(handlers);
      };
      client.on('error', lost);
      client.on('end', () => lost(new Error('connection ended')));
      await client.query(`listen ${notifyChannels.evaluation}`);
      if (this.stopped) {
        client.release(true);
        return;
      }
      this.client = client;
      handlers.onListening();
    } catch (error) {
      client?.release(true);
      if (this.stopped) return;
      this.deps.logger.warn({ err: error }, 'cannot listen for evaluations yet; retrying');
      this.retry(handlers);
    }
  }

  private retry(handlers: { onNotice(notice: RunNotice): void; onListening(): void }): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(handlers), this.deps.retryMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    // Released as broken: a connection that listened must not serve queries from the pool again.
    client?.release(true);
  }
}

function parseNotice(payload: string): RunNotice | undefined {
  try {
    const n = JSON.parse(payload) as Partial<RunNotice>;
    if (typeof n.schema !== 'string' || typeof n.run !== 'number') return undefined;
    return {
      schema: n.schema,
      run: n.run,
      base: typeof n.base === 'number' ? n.base : null,
      indicators: Array.isArray(n.indicators) ? n.indicators.map(String) : null,
      targets: Array.isArray(n.targets) ? n.targets.map(String) : null,
    };
  } catch {
    return undefined;
  }
}
