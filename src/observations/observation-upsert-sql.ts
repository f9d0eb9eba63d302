/**
 * The SQL that writes observations (the ingestor's chunks, by arrays or by COPY into a staging
 * table), and the COPY text encoding of a chunk.
 */
import type { ObservationChunk } from './observation-chunk.js';

/**
 * One set-based upsert from `input` (a relation of indicator_id, region_id, observed_at, dims,
 * value, note with keys unique within it; `$1` is the batch id). Every input row is looked up
 * once: a new key is inserted, a changed value replaces the stored one and the old value goes to
 * observation_revisions, an equal value is not touched at all (no new row version, no row lock,
 * no dead tuple, no revision: a re-send that changes nothing leaves no history). The `on conflict`
 * clause only matters when another transaction inserted the same key after this statement's
 * snapshot: the row is then updated in place (without a revision row, since this statement never
 * saw the value it replaced).
 *
 * Transaction time: a value is recorded at its batch's `started_at` (`recorded_at`); a revision keeps
 * when the old value had been recorded and when it was replaced (`old_recorded_at`, `revised_at`: the
 * new value's `recorded_at`), so the value of a key as Pacer knew it at any instant can be read back
 * (`observations-known-at-sql.ts`). A batch whose clock runs behind the stored value's is recorded at
 * that value's instant instead, so the instants of a key never go backwards.
 */
export function upsertSql(input: string): string {
  return `with input as (${input}),
    classified as materialized (
      select i.indicator_id, i.region_id, i.observed_at, i.dims, i.value, i.note,
             o.value as old_value, o.batch_id as old_batch_id, o.note as old_note, o.recorded_at as old_recorded_at,
             greatest((select started_at from ingest_batches where id = $1::bigint), o.recorded_at) as recorded_at
      from input i left join observations o
        on o.indicator_id = i.indicator_id and o.region_id = i.region_id and o.observed_at = i.observed_at
       and o.dims = i.dims
    ),
    revised as (
      insert into observation_revisions
        (indicator_id, region_id, observed_at, dims, old_value, new_value, old_batch_id, new_batch_id, old_note,
         old_recorded_at, revised_at)
      select indicator_id, region_id, observed_at, dims, old_value, value, old_batch_id, $1::bigint, old_note,
             old_recorded_at, recorded_at
      from classified where old_value <> value
    ),
    written as (
      insert into observations as o (indicator_id, region_id, observed_at, dims, value, note, batch_id, recorded_at)
      select indicator_id, region_id, observed_at, dims, value, note, $1::bigint, recorded_at
      from classified where old_value is null or old_value <> value
      on conflict (indicator_id, region_id, observed_at, dims)
      do update set value = excluded.value, note = excluded.note, batch_id = excluded.batch_id,
                    recorded_at = excluded.recorded_at
      where o.value is distinct from excluded.value
      returning (xmax = 0) as inserted
    )
    select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated
    from written`;
}

/** observed_at travels as epoch milliseconds (cheap to print and to parse) and becomes a timestamptz here. */
const fromEpochMs = (column: string) => `'epoch'::timestamptz + ${column} * interval '1 millisecond'`;

/** Input for {@link upsertSql}: a chunk as six arrays ($2..$7): six bind parameters whatever the row count. */
export const unnestInput = `select indicator_id, region_id, ${fromEpochMs('observed_ms')} as observed_at,
    dims, value, note
  from unnest($2::text[], $3::int[], $4::float8[], $5::jsonb[], $6::float8[], $7::text[])
    as t(indicator_id, region_id, observed_ms, dims, value, note)`;

/** The session's staging table for chunks too big for arrays; filled by COPY, emptied after each chunk. */
export const stagingTable = 'pacer_ingest_chunk';
export const createStagingSql = `create temp table ${stagingTable}
  (indicator_id text, region_id int, observed_ms float8, dims jsonb, value float8, note text) on commit drop`;
export const stagingInput = `select indicator_id, region_id, ${fromEpochMs('observed_ms')} as observed_at,
    dims, value, note
  from ${stagingTable}`;

/** Whether any of the sampled keys ($1..$4) is already stored. */
export const probeSql = `select exists (
    select 1 from unnest($1::text[], $2::int[], $3::float8[], $4::jsonb[])
      as s(indicator_id, region_id, observed_ms, dims)
    join observations o on o.indicator_id = s.indicator_id and o.region_id = s.region_id
     and o.observed_at = ${fromEpochMs('s.observed_ms')} and o.dims = s.dims
  ) as hit`;

/** The chunk's rows `from..to` as the six arrays of {@link unnestInput}. */
export function chunkArrays(chunk: ObservationChunk, from = 0, to = chunk.length): unknown[] {
  const n = to - from;
  const indicators = new Array<string>(n);
  const regions = new Array<number>(n);
  const times = new Array<number>(n);
  const dims = new Array<string>(n);
  const values = new Array<number>(n);
  const notes = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    indicators[i] = chunk.indicators[from + i]!;
    regions[i] = chunk.regionIds[from + i]!;
    times[i] = chunk.times[from + i]!;
    dims[i] = chunk.dims[from + i]!;
    values[i] = chunk.values[from + i]!;
    notes[i] = chunk.notes[from + i]!;
  }
  return [indicators, regions, times, dims, values, notes];
}

/** COPY's text format: backslash, tab, newline and carriage return are escaped; `\N` is null. */
function copyText(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : text;
}

const ROWS_PER_PIECE = 2_000;

/** The chunk as COPY text for the staging table, in pieces of a few hundred kilobytes. */
export function* stagingCopyText(chunk: ObservationChunk): Generator<string> {
  for (let from = 0; from < chunk.length; from += ROWS_PER_PIECE) {
    const to = Math.min(chunk.length, from + ROWS_PER_PIECE);
    let text = '';
    for (let i = from; i < to; i++) {
      const note = chunk.notes[i];
      text +=
        `${chunk.indicators[i]}\t${chunk.regionIds[i]}\t${chunk.times[i]}\t${copyText(chunk.dims[i]!)}\t` +
        `${chunk.values[i]}\t${note === null ? '\\N' : copyText(note!)}\n`;
    }
    yield text;
  }
}

/** The columns of {@link observationCopyText}, for the COPY statement. */
export const observationCopyColumns = 'indicator_id, region_id, observed_at, dims, value, note, batch_id, recorded_at';

/**
 * The chunk as COPY text straight into observations ({@link observationCopyColumns}): new keys, recorded at the
 * batch's start.
 */
export function* observationCopyText(chunk: ObservationChunk, batchId: number, recordedAt: Date): Generator<string> {
  const iso = new IsoTimes();
  const tail = `\t${batchId}\t${recordedAt.toISOString()}\n`;
  for (let from = 0; from < chunk.length; from += ROWS_PER_PIECE) {
    const to = Math.min(chunk.length, from + ROWS_PER_PIECE);
    let text = '';
    for (let i = from; i < to; i++) {
      const note = chunk.notes[i];
      text +=
        `${chunk.indicators[i]}\t${chunk.regionIds[i]}\t${iso.of(chunk.times[i]!)}\t${copyText(chunk.dims[i]!)}\t` +
        `${chunk.values[i]}\t${note === null ? '\\N' : copyText(note!)}${tail}`;
    }
    yield text;
  }
}

/** ISO strings for epoch milliseconds; a batch repeats few instants (daily data), so they are cached. */
class IsoTimes {
  private readonly cache = new Map<number, string>();

  of(ms: number): string {
    let iso = this.cache.get(ms);
    if (iso === undefined) {
      iso = new Date(ms).toISOString();
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(ms, iso);
    }
    return iso;
  }
}
