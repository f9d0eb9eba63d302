/**
 * PGlite is one Postgres backend: one session, one transaction at a time. The lease hands that
 * session to one holder at a time, first come first served: this process's kysely driver (for one
 * query, or a whole transaction) or a client of the shared endpoint (from its first message until
 * the backend is idle again). Without it, a client's statements could land inside this process's
 * open transaction, or between its Parse and Execute, and the other way round.
 */
export class SessionLease {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves when the session is this caller's; call the returned function to hand it on (once). */
  async acquire(): Promise<() => void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }
}
