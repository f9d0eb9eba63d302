import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './pacer-process.js';

/** A process the test started, with its output kept for failure messages. */
export interface TestProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startProcess(command: string, args: string[]): TestProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface Alert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** An HTTP server playing Alertmanager's webhook receiver: it keeps every alert it is sent. */
export async function startWebhookReceiver(): Promise<{ url: string; alerts: Alert[]; close(): Promise<void> }> {
  const alerts: Alert[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (d: Buffer) => (body += d.toString()));
    request.on('end', () => {
      try {
        alerts.push(...(JSON.parse(body) as { alerts: Alert[] }).alerts);
      } catch {
        // not a webhook payload: ignore
      }
      response.end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    alerts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Debian's Alertmanager routing every alert to `webhookUrl`, grouping and sending within a second. */
export async function startAlertmanager(
  binary: string,
  webhookUrl: string,
): Promise<{ url: string; process: TestProcess; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-am-'));
  const port = await freePort();
  await writeFile(
    path.join(dir, 'alertmanager.yml'),
    stringify({
      route: {
        receiver: 'test',
        group_by: ['alertname', 'target', 'feed'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1m',
      },
      receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: false }] }],
    }),
  );
  const process = startProcess(binary, [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('alertmanager ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);
  return { url, process, dir };
}

/** Debian's Prometheus scraping Pacer every second, evaluating `rulesFile` every second. */
export async function startPrometheus(
  binary: string,
  options: { pacer: string; rules: string; alertmanager: string },
): Promise<{ url: string; process: TestProcess; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pacer-prom-'));
  const port = await freePort();
  await writeFile(path.join(dir, 'pacer-rules.yml'), options.rules);
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'pacer-rules.yml')],
      alerting: {
        alertmanagers: [{ static_configs: [{ targets: [options.alertmanager.replace(/^https?:\/\//, '')] }] }],
      },
      scrape_configs: [
        { job_name: 'pacer', static_configs: [{ targets: [options.pacer.replace(/^https?:\/\//, '')] }] },
      ],
    }),
  );
  const process = startProcess(binary, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('prometheus ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);
  return { url, process, dir };
}

/** An instant query; returns the result vector. */
export async function promQuery(
  prometheusUrl: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { resultType: string; result: unknown };
  };
  if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${body.error}`);
  if (body.data.resultType === 'scalar') return [{ metric: {}, value: body.data.result as [number, string] }];
  return body.data.result as { metric: Record<string, string>; value: [number, string] }[];
}

export async function removeDirs(dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
