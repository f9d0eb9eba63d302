import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  currentCommunes,
  startIngestApi,
  validNdjson,
  type IngestApi,
  readJson,
} from '../support/ingest-api.js';
import { testBackends } from '../support/test-database.js';

const backends = await testBackends();

describe.each(backends)('the push API on %s', (backend) => {
  let api: IngestApi;
  let writer: string;
  beforeAll(async () => {
    api = await startIngestApi(backend, 'push_api');
    writer = await api.token('writer', ['vneid_*', 'chip_id_*', 'ehealth_*']);
  });
  afterAll(() => api.close());

  it('inserts 10,000 NDJSON rows, finds them unchanged when sent again, and revises one changed value', async () => {
    const body = await validNdjson(api, 10_000);
    const first = await api.push(body, { token: writer });
    expect(first.status).toBe(200);
    const s1 = await readJson(first);
    expect(s1).toMatchObject({
      received: 10_000,
      inserted: 10_000,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      errors: [],
      errors_total: 0,
    });

    // xmin is the transaction that wrote a row version: the same before and after means no row was rewritten.
    const versions = async () =>
      (
        await sql<{
          x: string;
        }>`select string_agg(xmin::text, ',' order by indicator_id, region_id, observed_at) as x
            from observations`.execute(api.database.db)
      ).rows[0]!.x;
    const before = await versions();
    const second = await readJson(await api.push(body, { token: writer }));
    expect(second).toMatchObject({ received: 10_000, inserted: 0, updated: 0, unchanged: 10_000, rejected: 0 });
    expect(await versions()).toBe(before);

    const lines = body.trimEnd().split('\n');
    const changed = JSON.parse(lines[4321]!);
    lines[4321] = JSON.stringify({ ...changed, value: changed.value + 0.5 });
    const third = await readJson(await api.push(`${lines.join('\n')}\n`, { token: writer }));
    expect(third).toMatchObject({ received: 10_000, inserted: 0, updated: 1, unchanged: 9_999, rejected: 0 });
    const revisions = await api.database.db.selectFrom('observation_revisions').selectAll().execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      indicator_id: changed.indicator,
      old_value: changed.value,
      new_value: changed.value + 0.5,
      old_batch_id: s1.batch_id,
      new_batch_id: third.batch_id,
    });

    const batch = await readJson(await fetch(`${api.baseUrl}/v1/batches/${third.batch_id}`));
    expect(batch).toMatchObject({
      id: third.batch_id,
      source: 'push',
      feed: 'test-writer',
      mode: 'atomic',
      status: 'committed',
      received: 10_000,
      updated: 1,
      unchanged: 9_999,
    });
    expect(typeof batch.token_id).toBe('number');
  });

  it(
    'accepts the same rows as a JSON array, as CSV and gzip-compressed, ' +
      'reading a bare date in the region set time zone',
    async () => {
      const codes = await currentCommunes(api);
      const json = JSON.stringify([
        { indicator: 'chip_id_cards_issued', region: codes[0], observed_at: '2025-09-01', value: 10 },
        {
          indicator: 'chip_id_cards_issued',
          region: codes[1],
          observed_at: '2025-09-01T08:30:00+07:00',
          value: 11,
          dims: { level: '2' },
          note: 'from the JSON array',
        },
      ]);
      expect(await readJson(await api.push(json, { token: writer, contentType: 'application/json' }))).toMatchObject({
        inserted: 2,
        rejected: 0,
      });
      const csv =
        `indicator,region,observed_at,value,dim.level,note\n` +
        `chip_id_cards_issued,${codes[2]},2025-09-01,12,,\r\n` +
        `chip_id_cards_issued,${codes[3]},2025-09-01,13,2,"a note, with a comma"\n`;
      expect(
        await readJson(await api.push(csv, { token: writer, contentType: 'text/csv; charset=utf-8' })),
      ).toMatchObject({ inserted: 2, rejected: 0 });
      const ndjson =
        `{"indicator":"chip_id_cards_issued","region":"${codes[4]}",` + `"observed_at":"2025-09-01","value":14}\n`;
      expect(
        await readJson(await api.push(gzipSync(ndjson), { token: writer, headers: { 'content-encoding': 'gzip' } })),
      ).toMatchObject({ inserted: 1 });

      const rows = await api.database.db
        .selectFrom('observations')
        .select(['observed_at', 'dims', 'note', 'value'])
        .where('indicator_id', '=', 'chip_id_cards_issued')
        .orderBy('value')
        .execute();
      // A bare 2025-09-01 is the end of that day in Asia/Ho_Chi_Minh: 16:59:59.999 UTC.
      expect(rows.map((r) => r.observed_at.toISOString())).toEqual([
        '2025-09-01T16:59:59.999Z',
        '2025-09-01T01:30:00.000Z',
        '2025-09-01T16:59:59.999Z',
        '2025-09-01T16:59:59.999Z',
        '2025-09-01T16:59:59.999Z',
      ]);
      expect(rows[1]).toMatchObject({ dims: { level: '2' }, note: 'from the JSON array' });
      expect(rows[3]).toMatchObject({ dims: { level: '2' }, note: 'a note, with a comma' });
    },
  );

  it('writes exactly the valid lines in partial mode and reports the others by line', async () => {
    const codes = await currentCommunes(api);
    const row = (region: string, value: unknown, indicator = 'ehealth_records_created') =>
      JSON.stringify({ indicator, region, observed_at: '2025-10-01', value });
    const body = [
      row(codes[0]!, 1),
      row(codes[1]!, 'x'),
      row(codes[2]!, 3),
      row('nope', 4),
      row(codes[4]!, -5),
      row(codes[5]!, 6),
    ].join('\n');
    const before = await api.fingerprint();
    const response = await api.push(body, { token: writer, mode: 'partial' });
    expect(response.status).toBe(200);
    const summary = await readJson(response);
    expect(summary).toMatchObject({ received: 6, inserted: 3, rejected: 3, errors_total: 3 });
    expect(summary.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2, 'invalid_value'],
      [4, 'unknown_region'],
      [5, 'negative_count'],
    ]);
    const written = await api.database.db
      .selectFrom('observations')
      .select('value')
      .where('indicator_id', '=', 'ehealth_records_created')
      .orderBy('value')
      .execute();
    expect(written.map((r) => r.value)).toEqual([1, 3, 6]);
    expect((await api.fingerprint()).batches).toBe(before.batches + 1);
  });

  it(
    'returns the first answer to a retry with the same Idempotency-Key, ' +
      'and 422 for the same key with another body',
    async () => {
      const body = await validNdjson(api, 50, (i) => i * 2, 'vneid_applications_received');
      const first = await api.push(body, { token: writer, key: 'retry-test-1' });
      const s1 = await readJson(first);
      expect(s1).toMatchObject({ inserted: 50 });
      const before = await api.fingerprint();
      const again = await api.push(body, { token: writer, key: 'retry-test-1' });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await readJson(again)).toEqual({ ...s1, replayed: true });
      expect(await api.fingerprint()).toEqual(before);

      const other = await api.push(body.replace('"value":0', '"value":1'), { token: writer, key: 'retry-test-1' });
      expect(other.status).toBe(422);
      expect((await readJson(other)).error.code).toBe('idempotency_conflict');
      expect(await api.fingerprint()).toEqual(before);
    },
  );

  it('answers 429 with Retry-After past the concurrent ingest limit', async () => {
    const limited = await startIngestApi(backend, 'push_limit', { PACER_INGEST_CONCURRENCY: '1' });
    try {
      const token = await limited.token('writer');
      // A push whose body is still arriving holds the only slot. The probes below compete for the
      // same slot: when one holds it as the held push arrives, the held push itself gets the 429,
      // so it is sent again until it is the one holding the slot.
      const holdSlot = () => {
        let finish!: () => void;
        const held = new ReadableStream({
          start(controller) {
            controller.enqueue(
              new TextEncoder().encode(
                '{"indicator":"vneid_accounts_issued","region":"VN","observed_at":"2025-07-01","value":1}\n',
              ),
            );
            finish = () => controller.close();
          },
        });
        const response = fetch(`${limited.baseUrl}/v1/observations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
          body: held,
          duplex: 'half',
        } as RequestInit);
        const state = { settled: false, response, finish };
        void response.then(
          () => (state.settled = true),
          () => (state.settled = true),
        );
        return state;
      };
      let slow = holdSlot();
      let busy!: Response;
      // Generous: on a loaded machine admitting the held push can take seconds.
      await waitFor(async () => {
        if (slow.settled) {
          expect((await slow.response).status).toBe(429);
          slow = holdSlot();
        }
        busy = await limited.push('', { token });
        if (busy.status !== 429) await new Promise((r) => setTimeout(r, 100));
        return busy.status === 429;
      }, 30_000);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect((await readJson(busy)).error.code).toBe('too_many_ingests');
      slow.finish();
      expect((await slow.response).status).toBe(200);
      expect(
        (
          await limited.push(
            '{"indicator":"vneid_accounts_issued","region":"VN","observed_at":"2025-07-02","value":2}\n',
            { token },
          )
        ).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('serves indicators, observations as JSON and CSV page by page, and the OpenAPI document', async () => {
    const indicators = await readJson(await fetch(`${api.baseUrl}/v1/indicators`));
    expect(indicators.items).toHaveLength(27);
    expect(indicators.items[0]).toMatchObject({
      id: expect.any(String),
      kind: expect.stringMatching(/cumulative|level|ratio|milestone/),
    });

    const all: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; next_cursor: string | null } = await readJson(
        await fetch(
          `${api.baseUrl}/v1/observations?indicator=vneid_accounts_issued` +
            `&limit=3000${cursor ? `&cursor=${cursor}` : ''}`,
        ),
      );
      all.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    expect(all).toHaveLength(10_000);
    expect(new Set(all.map((o) => JSON.stringify(o))).size).toBe(10_000);

    const codes = await currentCommunes(api);
    const csv = await fetch(
      `${api.baseUrl}/v1/observations?indicator=vneid_accounts_issued` +
        `&region=${codes[0]}&from=2025-07-01&to=2025-07-02&limit=1`,
      { headers: { accept: 'text/csv' } },
    );
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('x-next-cursor')).toBeTruthy();
    expect((await csv.text()).split('\n')[0]).toBe('indicator,region,observed_at,value,dims,note,batch_id,observed_on');

    const bad = await fetch(`${api.baseUrl}/v1/observations?region=nowhere`);
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).error.code).toBe('unknown_region');

    const doc = await readJson(await fetch(`${api.baseUrl}/openapi.json`));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/observations',
        '/v1/batches/{id}',
        '/v1/indicators',
        '/v1/tokens',
        '/v1/targets',
        '/v1/targets/{id}',
      ]),
    );
    expect(doc.components.schemas.IngestSummary.properties.errors.items).toEqual({
      $ref: '#/components/schemas/IngestIssue',
    });
  });

  it(
    'asks for an evaluation after a batch that changed ' + 'data when the process is a worker, and not otherwise',
    async () => {
      // Evaluations attempted, whatever their outcome: what the ingestor controls is the request.
      const attempts = async (of: IngestApi) =>
        (await of.services.metrics.evaluationRuns.get()).values.reduce((n, v) => n + v.value, 0);
      const before = await attempts(api);
      expect(
        (await api.push(await validNdjson(api, 5, (i) => i, 'ehealth_records_on_vneid'), { token: writer })).status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 2_500)); // past the trigger's 2 s debounce
      expect(await attempts(api)).toBe(before);

      // The same push to a process that also plays the worker role, as `pacer start --roles api,worker` wires it.
      const worker = await startIngestApi(backend, 'push_worker', {}, ['api', 'worker']);
      try {
        const started = await attempts(worker); // the worker evaluates once at start
        const token = await worker.token('writer');
        expect(
          (await worker.push(await validNdjson(worker, 5, (i) => i + 1, 'ehealth_records_on_vneid'), { token })).status,
        ).toBe(200);
        await waitFor(async () => (await attempts(worker)) > started, 15_000);
      } finally {
        await worker.close();
      }
    },
  );

  it('counts rows and batches in the pipeline metrics', async () => {
    const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(text).toMatch(/pacer_ingest_rows_total\{source="push",outcome="inserted"\} \d+/);
    expect(text).toMatch(/pacer_ingest_batches_total\{source="push",status="committed"\} \d+/);
    expect(text).toMatch(/pacer_ingest_batches_total\{source="push",status="replayed"\} 1/);
  });

  it('refuses pushes without a valid writer token and keeps only token hashes', async () => {
    const body = await validNdjson(api, 3, (i) => i, 'vneid_accounts_activated');
    const before = await api.fingerprint();
    const none = await api.push(body, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await readJson(none)).error.code).toBe('unauthorized');
    expect((await api.push(body, { token: 'pcr_not-a-real-token' })).status).toBe(401);

    const reader = await api.token('reader');
    const asReader = await api.push(body, { token: reader });
    expect(asReader.status).toBe(403);
    expect((await readJson(asReader)).error.code).toBe('forbidden_role');

    const narrow = await api.token('writer', ['chip_id_*']);
    const outside = await api.push(
      `${body}{"indicator":"chip_id_cards_issued","region":"VN","observed_at":"2025-07-01","value":1}\n`,
      { token: narrow, mode: 'partial' },
    );
    expect(outside.status).toBe(403);
    const error = (await readJson(outside)).error;
    expect(error.code).toBe('indicator_out_of_scope');
    expect(error.message).toContain('vneid_accounts_activated');
    expect(await api.fingerprint()).toEqual(before);

    const revocable = await api.token('writer');
    expect((await api.push(body, { token: revocable })).status).toBe(200);
    const id = (await api.services.tokens.list()).at(-1)!.id;
    const revoke = await fetch(`${api.baseUrl}/v1/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoke.status).toBe(200);
    const afterRevoke = await api.push(body, { token: revocable });
    expect(afterRevoke.status).toBe(401);
    expect((await readJson(afterRevoke)).error.code).toBe('token_revoked');

    const stored = await sql<{ row: string }>`select row_to_json(t)::text as row from api_tokens t`.execute(
      api.database.db,
    );
    for (const token of [writer, reader, narrow, revocable]) {
      expect(stored.rows.some((r) => r.row.includes(token))).toBe(false);
      expect(stored.rows.some((r) => r.row.includes(token.slice(0, 12)))).toBe(true);
    }
    expect(stored.rows.every((r) => /"token_hash":"[0-9a-f]{64}"/.test(r.row))).toBe(true);
  });

  it('requires a reader token for reads when PACER_READ_AUTH=token', async () => {
    const closed = await startIngestApi(backend, 'push_read_auth', { PACER_READ_AUTH: 'token' });
    try {
      // Every GET under /v1/, this feature's and the scorecard's.
      for (const path of ['/v1/indicators', '/v1/observations', '/v1/batches', '/v1/targets'])
        expect((await fetch(`${closed.baseUrl}${path}`)).status).toBe(401);
      const reader = await closed.token('reader');
      for (const path of ['/v1/indicators', '/v1/observations', '/v1/batches', '/v1/targets'])
        expect(
          (await fetch(`${closed.baseUrl}${path}`, { headers: { authorization: `Bearer ${reader}` } })).status,
        ).toBe(200);
      expect((await fetch(`${closed.baseUrl}/openapi.json`)).status).toBe(200);
      expect(
        (await fetch(`${closed.baseUrl}/v1/tokens`, { headers: { authorization: `Bearer ${reader}` } })).status,
      ).toBe(403);
    } finally {
      await closed.close();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
