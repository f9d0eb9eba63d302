import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startIngestApi, validNdjson, type IngestApi, readJson, type Json } from '../support/ingest-api.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();

interface RawAnswer {
  /** 0 when the connection ended without an answer. */
  status: number;
  headers: Record<string, string>;
  body: Json;
  /** Milliseconds from the request's first byte to the end of the connection. */
  ms: number;
}

/** A push over a plain socket whose body is sent in two parts, the second only when asked (or never). */
interface RawUpload {
  socket: net.Socket;
  answer: Promise<RawAnswer>;
  /** Whether the server has answered (and closed the connection). */
  answered: () => boolean;
  /** Sends the rest of the body. */
  finish: () => void;
}

/** Every socket a test opened, closed after it so that stopping the server never waits for one. */
const sockets = new Set<net.Socket>();

/** Opens a push of `body` with `token` and sends its first `sent` characters only; to `port` when given (a relay). */
function rawUpload(api: IngestApi, token: string, body: string, sent: number, via?: number): RawUpload {
  const { hostname, port } = new URL(api.baseUrl);
  const socket = net.connect(via ?? Number(port), hostname);
  sockets.add(socket);
  const started = Date.now();
  let received = '';
  let done = false;
  const answer = new Promise<RawAnswer>((resolve) => {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => (received += text));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      done = true;
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const text = rest.join('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: text.startsWith('{') ? JSON.parse(text) : text,
        ms: Date.now() - started,
      });
    });
  });
  socket.write(
    `POST /v1/observations HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/x-ndjson\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
      body.slice(0, sent),
  );
  return { socket, answer, answered: () => done, finish: () => socket.write(body.slice(sent)) };
}

/** One valid NDJSON line for the commune `code` on 2025-07-`day`. */
function line(code: string, day: number, value: number): string {
  const date = `2025-07-${String(day).padStart(2, '0')}`;
  return `${JSON.stringify({ indicator: 'chip_id_cards_issued', region: code, observed_at: date, value })}\n`;
}

/** `promise`, or a failure naming `what` when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A TCP relay to the API whose clients can vanish the way a machine that loses its network does:
 * their connections end on this side, and the server hears nothing at all (no FIN, no reset).
 */
async function vanishingRelay(api: IngestApi): Promise<{ port: number; vanish: () => void; close: () => void }> {
  const { hostname, port } = new URL(api.baseUrl);
  const pairs: [net.Socket, net.Socket][] = [];
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (relay.address() as net.AddressInfo).port,
    vanish: () => {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        upstream.pause();
        client.destroy();
      }
    },
    close: () => relay.close(),
  };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Opens `n` uploads of `token` that stall after their first line, and returns once the server is
 * known to run all of them: a push of `probe` is then refused with 429. A probe admitted in
 * between can make one of the uploads the refused one (or a slow start, a timed-out one); that
 * upload is opened again.
 */
async function holdSlots(api: IngestApi, token: string, probe: string, n: number, timeoutMs: number, via?: number) {
  const bodies = Array.from({ length: n }, (_, i) => line('VN', 1, i) + line('VN', 2, i));
  const first = line('VN', 1, 0).length;
  const uploads = bodies.map((body) => rawUpload(api, token, body, first, via));
  await waitFor(
    async () => {
      for (const [i, upload] of uploads.entries()) {
        if (upload.answered()) uploads[i] = rawUpload(api, token, bodies[i]!, first, via);
      }
      await new Promise((r) => setTimeout(r, 200));
      const busy = await api.push('', { token: probe });
      return busy.status === 429 && uploads.every((u) => !u.answered());
    },
    `${n} stalled uploads holding every slot`,
    timeoutMs,
  );
  return uploads;
}

describe.each(backends)('slow and stalled uploads on %s', (backend) => {
  let api: IngestApi | undefined;
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await api?.close();
    api = undefined;
  });

  it(
    'answers each of 4 stalled uploads with 408 within the idle timeout plus a margin and writes nothing of theirs, ' +
      'while a push from another token succeeds within seconds',
    async () => {
      // The per-token cap is lifted so that one token can take every slot: only the idle timeout
      // and the wait for a slot keep the other push flowing.
      api = await startIngestApi(backend, 'stall', {
        PACER_INGEST_CONCURRENCY: '4',
        PACER_INGEST_TOKEN_CONCURRENCY: '4',
        PACER_INGEST_IDLE_TIMEOUT_SECONDS: '2',
      });
      const slow = await api.token('writer');
      const other = await api.token('writer');
      const first = line('VN', 1, 0).length;
      const stalled = [0, 1, 2, 3].map((i) => rawUpload(api!, slow, line('VN', 1, i) + line('VN', 2, i), first));
      // Time for the server to admit them; the push below must then find every slot taken.
      await new Promise((r) => setTimeout(r, 1000));

      const started = Date.now();
      const pushed = await within(api.push(await validNdjson(api, 10), { token: other }), 12_000, 'answer to the push');
      expect(pushed.status).toBe(200);
      expect(await readJson(pushed)).toMatchObject({ inserted: 10 });
      expect(Date.now() - started).toBeLessThan(12_000);

      for (const upload of stalled) {
        const answer = await within(upload.answer, 2_000 + 12_000, 'answer to a stalled upload');
        expect(answer.status).toBe(408);
        expect(answer.body.error.code).toBe('body_timeout');
        expect(answer.headers.connection).toBe('close');
        expect(answer.ms).toBeLessThan(2_000 + 12_000);
      }
      expect(await api.fingerprint()).toMatchObject({ observations: 10, batches: 1 });
      const written = await api.database.db
        .selectFrom('observations')
        .where('indicator_id', '=', 'chip_id_cards_issued')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(written.n)).toBe(0);
    },
  );

  it(
    'gives back the slots of clients that vanish mid-upload without a word: ' +
      'within the idle timeout plus a margin all 4 can be taken again and their pushes written',
    async () => {
      api = await startIngestApi(backend, 'vanish', {
        PACER_INGEST_CONCURRENCY: '4',
        PACER_INGEST_TOKEN_CONCURRENCY: '4',
        PACER_INGEST_QUEUE_SECONDS: '0',
        PACER_INGEST_IDLE_TIMEOUT_SECONDS: '2',
      });
      const writer = await api.token('writer');
      const probe = await api.token('writer');
      const relay = await vanishingRelay(api);
      try {
        await holdSlots(api, writer, probe, 4, 20_000, relay.port);
        relay.vanish();

        const again = await holdSlots(api, writer, probe, 4, 2_000 + 13_000);
        for (const upload of again) upload.finish();
        for (const upload of again) {
          const answer = await within(upload.answer, 15_000, 'answer to a finished upload');
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ received: 2 });
        }
        // Each upload wrote the same two keys; nothing of the vanished ones was kept besides.
        expect(await api.fingerprint()).toMatchObject({ observations: 2, batches: 4 });
      } finally {
        relay.close();
      }
    },
  );

  it(
    'refuses a token’s pushes past its cap (half the slots) with 429 and Retry-After, ' +
      'while another token’s push is admitted',
    async () => {
      api = await startIngestApi(backend, 'cap', { PACER_INGEST_CONCURRENCY: '4' });
      const greedy = await api.token('writer');
      const other = await api.token('writer');
      const first = line('VN', 1, 0).length;
      const uploads = [0, 1, 2].map((i) => rawUpload(api!, greedy, line('VN', 1, i) + line('VN', 3 + i, i), first));

      // Two of the three are admitted and wait for the rest of their bodies; the third is refused.
      const refused = await Promise.race([
        ...uploads.map((u) => u.answer.then(() => u)),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
      ]);
      expect(refused, 'one of the three uploads is answered at once').toBeDefined();
      const answer = await refused!.answer;
      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.body.error.code).toBe('too_many_ingests');

      const pushed = await api.push(line('VN', 20, 1), { token: other });
      expect(pushed.status).toBe(200);

      const admitted = uploads.filter((u) => u !== refused);
      for (const upload of admitted) upload.finish();
      for (const upload of admitted) expect((await within(upload.answer, 15_000, 'answer')).status).toBe(200);
      expect(await api.fingerprint()).toMatchObject({ batches: 3 });
    },
  );
});
