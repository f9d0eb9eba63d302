/**
 * Which index on observations.observed_at? Measures BRIN against btree on the real PostgreSQL, with
 * rows arriving the way Pacer's arrive: mostly recent values, appended in time order, plus
 * backfilled history (a data team pushing last year's figures) that breaks physical time order.
 *
 *   npm run bench:time-index [-- --rows 2000000]
 *
 * Prints, per variant: load time relative to the table with no time index, index size, and a
 * one-day range scan across all series relative to the btree.
 */
import pg from 'pg';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' }, url: { type: 'string' } } });
const rows = Number(values.rows);
const url = values.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: url });
await client.connect();
const schema = `bench_time_index_${process.pid}`;
await client.query(`create schema ${schema}; set search_path to ${schema}`);

const variants = [
  { name: 'none', index: '' },
  { name: 'btree', index: 'create index on obs (observed_at)' },
  { name: 'brin', index: 'create index on obs using brin (observed_at) with (pages_per_range = 32)' },
] as const;

const chunks = 20;
const perChunk = Math.floor(rows / chunks);
const results: Record<string, { load: number; size: number; scan: number; backfilledScan: number }> = {};
try {
  for (const v of variants) {
    await client.query('drop table if exists obs');
    await client.query(`create table obs (indicator_id text not null, region_id integer not null,
      observed_at timestamptz not null, dims jsonb not null default '{}', value double precision not null,
      primary key (indicator_id, region_id, observed_at, dims))`);
    if (v.index) await client.query(v.index);
    const t0 = performance.now();
    for (let c = 0; c < chunks; c++) {
      // 4 of 5 chunks are fresh values for recent days; every 5th is a backfill spread over two years.
      const backfill = c % 5 === 4;
      await client.query(
        `insert into obs (indicator_id, region_id, observed_at, value)
         select 'ind_' || (g % 30), (g / 30) % 3321,
           case when $3 then timestamptz '2023-01-01' + ((g * 7919) % 730) * interval '1 day'
                               + (g % 86400) * interval '1 second'
                else timestamptz '2025-01-01' + ($1::int * interval '1 day') + ((g % 86400) * interval '1 second') end,
           random() * 1000
         from generate_series($2::bigint, $2::bigint + $4::bigint - 1) g
         on conflict do nothing`,
        [c, c * perChunk, backfill, perChunk],
      );
    }
    const load = performance.now() - t0;
    await client.query('vacuum analyze obs');
    const size = v.index
      ? Number(
          (
            await client.query(
              `select sum(pg_relation_size(indexrelid)) s from pg_index
               where indrelid = 'obs'::regclass and not indisprimary`,
            )
          ).rows[0].s,
        )
      : 0;
    const scan = (from: string) =>
      medianMs(() =>
        client.query(
          `select count(*), sum(value) from obs
           where observed_at >= timestamptz '${from}' and observed_at < timestamptz '${from}' + interval '1 day'`,
        ),
      );
    results[v.name] = { load, size, scan: await scan('2025-01-07'), backfilledScan: await scan('2023-06-15') };
  }
  const base = results.none!;
  const btree = results.btree!;
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name}: load ${rows} rows ${(r.load / 1000).toFixed(2)} s ` +
        `(ratio to no time index ${(r.load / base.load).toFixed(2)}), index ${(r.size / 1048576).toFixed(1)} MiB, ` +
        `one-day scan of recent data ${r.scan.toFixed(1)} ms (ratio to btree ${(r.scan / btree.scan).toFixed(2)}), ` +
        `of backfilled data ${r.backfilledScan.toFixed(1)} ms ` +
        `(ratio to btree ${(r.backfilledScan / btree.backfilledScan).toFixed(2)})`,
    );
  }
} finally {
  await client.query(`drop schema ${schema} cascade`);
  await client.end();
}

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[3]!;
}
