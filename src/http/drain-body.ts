import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a request body: true when it ended within `maxBytes` and
 * `timeoutMs`. A server that answers while the client is still sending and then closes the
 * connection resets it, and the client loses the answer; reading the rest first (within bounds)
 * lets the answer arrive.
 */
export async function drainBody(request: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<boolean> {
  if (request.readableEnded || request.destroyed) return request.readableEnded;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const reading = (async () => {
    let total = 0;
    for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) return false;
    }
    return true;
  })().catch(() => false);
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
