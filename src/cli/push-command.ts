import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { ExitCode } from '../errors/error-mapping.js';
import { InputError, UnavailableError, formatIssue } from '../errors/pacer-error.js';
import {
  formatOfFileName,
  mediaTypes,
  recordFormats,
  type RecordFormat,
} from '../observations/formats/record-formats.js';
import { ingestModes, type IngestMode, type IngestSummary } from '../observations/ingestor.js';
import { ApiClient, errorOf } from './api-client.js';
import { commandSetup, runCommand, type CliIo } from './cli-context.js';

export const defaultApiUrl = 'http://127.0.0.1:8080';

interface PushOptions {
  format?: RecordFormat;
  url?: string;
  token?: string;
  mode: IngestMode;
  idempotencyKey?: string;
  retries: string;
  progress?: boolean;
}

/** `pacer push FILE`: stream a file of observations to a running Pacer. */
export function pushCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('push')
    .description(
      'stream a CSV, NDJSON or JSON file of observations to a running Pacer (POST /v1/observations); exit 1 if any ' +
        'record was rejected',
    )
    .argument('<file>', 'the file; .gz files are sent gzip-compressed')
    .addOption(new Option('--format <format>', 'body format (default: from the file extension)').choices(recordFormats))
    .option('--url <url>', `Pacer's API (default: PACER_URL or ${defaultApiUrl})`)
    .option('--token <token>', 'a writer token (default: PACER_TOKEN)')
    .addOption(
      new Option('--mode <mode>', 'atomic: any invalid record rejects the file; partial: write the valid records')
        .choices(ingestModes)
        .default('atomic'),
    )
    .option('--idempotency-key <key>', 'default: a new key per run, reused by its retries')
    .option('--retries <n>', 'retries after 429, 503 or a lost connection', '3')
    .option('--progress', 'print progress even when stderr is not a terminal')
    .action(async (file: string, options: PushOptions) => {
      setExitCode(await runCommand(io, () => push(io, file, options)));
    });
}

async function push(io: CliIo, file: string, options: PushOptions): Promise<number> {
  const { config } = await commandSetup(io);
  const { ingestPaths } = await import('../observations/ingest-routes.js');
  const format = options.format ?? formatOfFileName(file);
  if (!format)
    throw new InputError(`cannot tell the format of ${file} from its name; give --format csv, ndjson or json`);
  const retries = Number(options.retries);
  if (!Number.isInteger(retries) || retries < 0)
    throw new InputError(`--retries: expected a whole number, got "${options.retries}"`);
  const size = (
    await stat(file).catch((cause: unknown) => {
      throw new InputError(`cannot read ${file}: ${(cause as Error).message}`, [], { cause });
    })
  ).size;
  const client = new ApiClient(options.url ?? config.api.url ?? defaultApiUrl, options.token ?? config.api.token);
  const key = options.idempotencyKey ?? `push/${randomUUID()}`;
  const gzip = file.toLowerCase().endsWith('.gz');
  const progress = new Progress(
    io,
    size,
    format !== 'json' && !gzip ? (format === 'csv' ? -1 : 0) : undefined,
    options.progress ?? false,
  );
  const started = performance.now();

  let summary: IngestSummary;
  for (let attempt = 0; ; attempt++) {
    progress.reset();
    try {
      const response = await client.fetch(`${ingestPaths.observations}?mode=${options.mode}`, {
        method: 'POST',
        headers: {
          'content-type': mediaTypes[format],
          'content-length': String(size),
          'idempotency-key': key,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
        body: Readable.toWeb(Readable.from(counted(file, progress))) as ReadableStream,
        duplex: 'half',
      });
      if (!response.ok) throw await errorOf(response);
      summary = (await response.json()) as IngestSummary;
      break;
    } catch (error) {
      progress.done();
      if (!(error instanceof UnavailableError) || attempt >= retries) {
        if (error instanceof InputError && error.issues.length > 0) {
          throw new InputError(
            `${file} was not written: ${error.message}`,
            error.issues.map((i) => ({ ...i, file })),
            { code: error.code, issuesTotal: error.issuesTotal },
          );
        }
        throw error;
      }
      const wait = Math.min(30, error.retryAfterSeconds ?? 2 ** attempt);
      io.err(`${error.message}; retrying in ${wait} s (${attempt + 1}/${retries}, same Idempotency-Key)`);
      await sleep(wait * 1000);
    }
  }
  progress.done();
  const seconds = (performance.now() - started) / 1000;
  const n = (x: number) => x.toLocaleString('en-US');
  io.out(
    `${file}: batch ${summary.batch_id} — received ${n(summary.received)}, inserted ${n(summary.inserted)}, updated ` +
      `${n(summary.updated)}, unchanged ${n(summary.unchanged)}, rejected ${n(summary.rejected)}` +
      ` in ${seconds.toFixed(1)} ` +
      `s${summary.replayed ? ' (a replay: this key was sent before, nothing written again)' : ''}`,
  );
  // Warnings do not fail the push (the values are stored); they are listed for someone to check.
  for (const w of summary.warnings ?? []) io.err(`${file}:${w.line} warning ${w.code}: ${w.field}: ${w.message}`);
  if ((summary.warnings_total ?? 0) > (summary.warnings?.length ?? 0))
    io.err(`... and ${n(summary.warnings_total - summary.warnings.length)} more warnings`);
  if (summary.rejected === 0) return ExitCode.ok;
  for (const issue of summary.errors) io.err(formatIssue({ ...issue, file }));
  if (summary.errors_total > summary.errors.length)
    io.err(`... and ${n(summary.errors_total - summary.errors.length)} more`);
  return ExitCode.userError;
}

async function* counted(file: string, progress: Progress): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    progress.add(chunk);
    yield chunk;
  }
  progress.sent();
}

/**
 * Bytes and rows sent: a bar redrawn in place on a terminal, a line a second with --progress
 * otherwise (logs, CI), nothing by default in scripts.
 */
class Progress {
  private bytes = 0;
  private rows = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    private readonly total: number,
    /** Rows are counted as lines, less this many header lines; undefined: not counted (JSON, gzip). */
    private readonly rowOffset: number | undefined,
    private readonly forced: boolean,
  ) {}

  private get enabled(): boolean {
    return this.tty || this.forced;
  }

  reset(): void {
    this.bytes = 0;
    this.rows = 0;
  }

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.rowOffset !== undefined)
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows++;
    const now = performance.now();
    if (this.enabled && now - this.lastDraw >= (this.tty ? 100 : 1000)) {
      this.lastDraw = now;
      this.draw('sending');
    }
  }

  /** The whole file is sent; the server is writing the last chunks. */
  sent(): void {
    if (this.enabled) this.draw('sent, waiting for the summary');
  }

  done(): void {
    if (this.tty && this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }

  private draw(state: string): void {
    const fraction = this.total > 0 ? Math.min(1, this.bytes / this.total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
    const mb = (b: number) => (b / 1_048_576).toFixed(1);
    const rows =
      this.rowOffset === undefined ? '' : ` ${Math.max(0, this.rows + this.rowOffset).toLocaleString('en-US')} rows`;
    const line =
      `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb(this.bytes)}/${mb(this.total)} MB${rows} ` +
      `${((performance.now() - this.started) / 1000).toFixed(1)} s ${state}`;
    if (this.tty) {
      process.stderr.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.io.err(line);
  }
}
