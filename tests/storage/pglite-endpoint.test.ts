import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PGliteDialect } from '../../src/storage/pglite-dialect.js';
import { endpointPath, endpointPort, PGliteEndpoint } from '../../src/storage/pglite-endpoint.js';
import { SessionLease } from '../../src/storage/session-lease.js';

/** A moment for a client that would break in to do so: the tests assert on what it saw, never on time. */
const chance = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('the embedded database shared on a Unix socket', () => {
  let dir: string;
  let pglite: PGlite;
  let lease: SessionLease;
  let db: Kysely<{ t: { x: number } }>;
  let endpoint: PGliteEndpoint;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    pglite = new PGlite();
    await pglite.waitReady;
    lease = new SessionLease();
    db = new Kysely({ dialect: new PGliteDialect(pglite, lease) });
    await sql`create table t (x int)`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
    await pglite.close();
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pacer-endpoint-'));
    // Long enough that no client here is cut off by a slow machine, but for the one test that idles on purpose.
    endpoint = await PGliteEndpoint.serve({ pglite, lease, path: endpointPath(dir), idleInTransactionMs: 5_000 });
    await sql`truncate t`.execute(db);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await endpoint.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ host: dir, port: endpointPort, user: 'postgres', database: 'postgres', ssl: false });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  const count = async (c: pg.Client) => Number((await c.query('select count(*) as n from t')).rows[0].n);

  it('is a socket only its owner can open, named as PostgreSQL names one, removed on close', async () => {
    expect(endpoint.path).toBe(path.join(dir, '.s.PGSQL.5432'));
    const info = await stat(endpoint.path);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    expect(await count(await client())).toBe(0);
    await endpoint.close();
    await expect(stat(endpoint.path)).rejects.toMatchObject({ code: 'ENOENT' });
    endpoint = await PGliteEndpoint.serve({ pglite, lease, path: endpointPath(dir) });
  });

  it("keeps a client's query out of a transaction this process has open, until it rolls back", async () => {
    const c = await client();
    const events: string[] = [];
    let seen: number | undefined;
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t values (1)`.execute(trx);
        void count(c).then((n) => {
          seen = n;
          events.push('client answered');
        });
        await chance();
        events.push('rolling back');
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    while (seen === undefined) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['rolling back', 'client answered']);
    expect(seen).toBe(0);
  });

  it("keeps this process's queries out of a client's open transaction, until it rolls back", async () => {
    const c = await client();
    await c.query('begin');
    await c.query('insert into t values (1)');
    const events: string[] = [];
    const inProcess = sql<{ n: number }>`select count(*)::int as n from t`.execute(db).then((r) => {
      events.push('process answered');
      return r.rows[0]!.n;
    });
    await chance();
    events.push('client rolls back');
    await c.query('rollback');
    expect(await inProcess).toBe(0);
    expect(events).toEqual(['client rolls back', 'process answered']);
  });

  it('rolls back what a client left open when it disconnects, and hands the session on', async () => {
    const c = await client();
    await c.query('begin');
    await c.query('insert into t values (1)');
    const waiting = sql<{ n: number }>`select count(*)::int as n from t`.execute(db);
    await c.end();
    expect((await waiting).rows[0]!.n).toBe(0);
    expect(pglite.isInTransaction()).toBe(false);
  });

  it('disconnects a client idle in a transaction, so a stuck command cannot stall the server', async () => {
    const c = await client();
    await c.query('begin');
    await c.query('insert into t values (1)');
    // Waits for the lease the idle client holds, until the endpoint gives up on that client.
    const after = await sql<{ n: number }>`select count(*)::int as n from t`.execute(db);
    expect(after.rows[0]!.n).toBe(0);
    await expect(c.query('commit')).rejects.toThrow();
  });

  it("never mixes a client's parameterised queries with this process's, nor two clients' transactions", async () => {
    const [a, b, c1, c2] = [await client(), await client(), await client(), await client()];
    // Three different statements: a Bind landing on another's unnamed statement would show in the results.
    const inTurn = async (query: (i: number) => Promise<number>) => {
      const out: number[] = [];
      for (let i = 0; i < 150; i++) out.push(await query(i));
      return out;
    };
    const first = (r: { rows: { n: number }[] }) => r.rows[0]!.n;
    const work = Promise.all([
      inTurn((i) => a.query('select $1::int as n', [i]).then(first)),
      inTurn((i) => b.query('select $1::int * 2 as n', [i]).then(first)),
      inTurn((i) => sql<{ n: number }>`select ${i}::int + 1000 as n`.execute(db).then(first)),
    ]);
    const range = [...Array(150).keys()];
    const transfers = [c1, c2].map(async (c, k) => {
      for (let i = 0; i < 20; i++) {
        await c.query('begin');
        await c.query('insert into t values ($1)', [k]);
        await c.query('insert into t values ($1)', [k]);
        await c.query(i % 2 === 0 ? 'commit' : 'rollback');
      }
    });
    const local = db.transaction().execute(async (trx) => {
      for (let i = 0; i < 20; i++) await sql`insert into t values (9)`.execute(trx);
    });
    expect(await work).toEqual([range, range.map((i) => i * 2), range.map((i) => i + 1000)]);
    await Promise.all([...transfers, local]);
    const rows = await sql<{ x: number; n: number }>`select x, count(*)::int as n from t group by x order by x`.execute(
      db,
    );
    expect(rows.rows).toEqual([
      { x: 0, n: 20 },
      { x: 1, n: 20 },
      { x: 9, n: 20 },
    ]);
  });
});

class Rollback extends Error {}
