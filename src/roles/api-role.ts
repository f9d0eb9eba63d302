import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.js';
import type { Role } from './role.js';

/** Serves HTTP (ingest, read API, /metrics, health) on `host:port` until stopped. */
export class ApiRole implements Role {
  readonly name = 'api' as const;
  private listening = false;

  constructor(
    private readonly server: FastifyInstance,
    private readonly options: {
      host: string;
      port: number;
      logger: Logger;
      background?: { start(): void; stop(): Promise<void> };
    },
  ) {}

  async start(): Promise<void> {
    const address = await this.server.listen({ host: this.options.host, port: this.options.port });
    this.listening = true;
    this.options.background?.start();
    this.options.logger.info({ address }, 'api listening');
  }

  /** The port actually bound (useful with PORT=0). */
  get port(): number {
    const address = this.server.server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async stop(): Promise<void> {
    // close() stops accepting connections and waits for in-flight requests to finish.
    if (this.listening) await this.server.close();
    await this.options.background?.stop();
    this.listening = false;
  }
}
