import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestApi, type IngestApi } from '../support/ingest-api.js';
import { defaultBackend } from '../support/test-database.js';

const backend = await defaultBackend();

/** Sends `request` as raw bytes over TCP and reads everything the server answers until it closes. */
function rawExchange(api: IngestApi, request: string): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.write(request);
  });
}

/** The status, headers (lower-cased names) and body of a raw HTTP/1.1 response. */
function parseResponse(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4) };
}

let api: IngestApi;
beforeAll(async () => {
  api = await startIngestApi(backend, 'client_errors');
});
afterAll(async () => {
  await api?.close();
});

describe(`requests Node's HTTP parser refuses, on ${backend}`, () => {
  it.each([
    [
      'a bad chunk size in chunked encoding',
      /chunk size/,
      'POST /v1/observations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    ],
    [
      'both Content-Length and Transfer-Encoding',
      /Transfer-Encoding can't be present with Content-Length/,
      'POST /v1/observations HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n0\r\n\r\n',
    ],
  ])("answers %s with 400 and Pacer's error body, then closes the connection", async (_what, reason, request) => {
    const { text, closed } = await rawExchange(api, request);
    const response = parseResponse(text);
    expect(response.status, text).toBe(400);
    expect(response.headers['connection']).toBe('close');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    const body = JSON.parse(response.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/^malformed HTTP request: /);
    expect(body.error.message).toMatch(reason);
    expect(closed).toBe(true);
  });

  it("answers headers over Node's limit with 431 and Pacer's error body, then closes the connection", async () => {
    const { text, closed } = await rawExchange(
      api,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const response = parseResponse(text);
    expect(response.status, text).toBe(431);
    expect(response.headers['connection']).toBe('close');
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'headers_too_large', message: 'the request headers are too large' },
    });
    expect(closed).toBe(true);
  });
});
