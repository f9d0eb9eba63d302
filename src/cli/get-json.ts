import http from 'node:http';

/** A GET's answer: its status and its body parsed as JSON (undefined when it is not JSON). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/**
 * GETs a URL and parses its body as JSON, with node:http (or node:https). Not `fetch`: on Node 20
 * its first call loads undici and compiles its WebAssembly HTTP parser, about 0.3 s of CPU, more
 * than all the rest of `pacer status --url`. Rejects with the socket's error (`connect
 * ECONNREFUSED 127.0.0.1:8080`) when no server answers, or when it sends nothing for `timeoutMs`.
 */
export async function getJson(url: URL, timeoutMs: number): Promise<JsonAnswer> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`unsupported protocol ${url.protocol} (http: or https:)`);
  // TLS is loaded only for an https URL.
  const client = url.protocol === 'https:' ? await import('node:https') : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // not JSON: a proxy's error page, say
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.once('error', reject);
  });
}
