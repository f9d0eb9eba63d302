import { UnavailableError } from '../errors/pacer-error.js';

/** How many pushes an API process runs at once, and how it shares them out. */
export interface IngestSlotLimits {
  /** Pushes running at once (`PACER_INGEST_CONCURRENCY`). */
  slots: number;
  /** Pushes of one token at once, running or waiting: one client cannot hold every slot. */
  perToken: number;
  /** Pushes that may wait for a slot when all are taken; past it, 429 at once. */
  maxWaiting: number;
  /** How long a push waits for a slot before it is refused with 429; 0: refused at once. */
  maxWaitMs: number;
}

interface Waiter {
  owner: string;
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * The ingest slots of one API process. A push takes a slot before its body is read and gives it
 * back when it ends, however it ends. A push that finds every slot taken waits in line (first in,
 * first out; bounded in length and time) rather than failing at once, so a few slow uploads delay
 * other pushes instead of refusing them; a token at its own cap is refused at once, since waiting
 * would only let it queue more.
 */
export class IngestSlots {
  private running = 0;
  private readonly heldBy = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: IngestSlotLimits) {}

  /**
   * Takes a slot for `owner` (a token), waiting for one when all are taken; resolves to the
   * function that gives it back (calling it again does nothing). Throws a 429
   * (`too_many_ingests`) when the owner is at its cap, the line is full or the wait ran out.
   */
  async acquire(owner: string): Promise<() => void> {
    const held = this.heldBy.get(owner) ?? 0;
    if (held >= this.limits.perToken) {
      throw busy(`this token already has ${held} pushes in progress, the most one token may have at once`);
    }
    if (this.running < this.limits.slots) {
      this.running++;
      this.heldBy.set(owner, held + 1);
      return this.releaser(owner);
    }
    if (this.waiting.length >= this.limits.maxWaiting || this.limits.maxWaitMs <= 0) {
      throw busy(`${this.running} ingests are running, the most this server takes at once`);
    }
    this.heldBy.set(owner, held + 1);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        admit: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          this.drop(owner);
          reject(busy(`${this.running} ingests are running and none ended within ${this.limits.maxWaitMs} ms`));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
    return this.releaser(owner);
  }

  private releaser(owner: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.drop(owner);
      const next = this.waiting.shift();
      if (!next) {
        this.running--;
        return;
      }
      // The slot passes straight to the next in line: a push arriving now cannot jump the queue.
      clearTimeout(next.timer);
      next.admit();
    };
  }

  private drop(owner: string): void {
    const held = (this.heldBy.get(owner) ?? 1) - 1;
    if (held > 0) this.heldBy.set(owner, held);
    else this.heldBy.delete(owner);
  }
}

function busy(reason: string): UnavailableError {
  return new UnavailableError(`${reason}; retry shortly`, { code: 'too_many_ingests', retryAfterSeconds: 1 });
}
