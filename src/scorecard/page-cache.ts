import { gzipSync } from 'node:zlib';

/** A rendered page, kept with its gzip (for bodies worth compressing). */
export interface CachedPage {
  body: Buffer;
  gzip: Buffer | undefined;
}

/**
 * Rendered scorecard pages of the newest evaluation, keyed by the page and its normalized query.
 * Every entry belongs to one evaluation (its `generation`): a request naming another one empties
 * the cache first, so a page is never served from an evaluation older than the newest this
 * process knows. Bounded by entries and bytes, least recently used out first; a render in progress
 * is shared by the requests that arrive meanwhile, and a failed one is not kept.
 */
export class PageCache {
  private generation: string | undefined;
  private readonly entries = new Map<string, Promise<CachedPage>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly limits: { maxEntries: number; maxBytes: number }) {}

  get(generation: string, key: string, render: () => Promise<string>): Promise<CachedPage> {
    if (generation !== this.generation) {
      this.clear();
      this.generation = generation;
    }
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const page = render().then((html) => {
      const body = Buffer.from(html);
      return { body, gzip: body.length > 1024 ? gzipSync(body) : undefined };
    });
    this.entries.set(key, page);
    page.then(
      (p) => {
        if (this.entries.get(key) !== page) return;
        const size = p.body.length + (p.gzip?.length ?? 0);
        this.sizes.set(key, size);
        this.bytes += size;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === page) this.entries.delete(key);
      },
    );
    return page;
  }

  /** Drops every page (a new evaluation arrived). */
  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) return;
      this.entries.delete(key);
      this.bytes -= this.sizes.get(key) ?? 0;
      this.sizes.delete(key);
    }
  }
}
