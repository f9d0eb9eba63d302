import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, readJson, startIngestApi, type IngestApi } from '../support/ingest-api.js';
import { defaultBackend } from '../support/test-database.js';

const backend = await defaultBackend();

let api: IngestApi;
beforeAll(async () => {
  api = await startIngestApi(backend, 'request_text');
});
afterAll(async () => {
  await api?.close();
});

describe(`request values PostgreSQL cannot store, on ${backend}`, () => {
  const get = (path: string) => fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });

  it.each([
    ['/v1/targets/%00', 'id'],
    ['/v1/targets?owner=a%00b', 'owner'],
    ['/v1/batches?feed=%00', 'feed'],
    ['/v1/observations?region=%00', 'region'],
    ['/v1/observations?indicator=x%00', 'indicator'],
    ['/v1/feeds/%00/runs', 'id'],
  ])('answers %s with 400 invalid_request naming the parameter %s', async (path, field) => {
    const response = await get(path);
    const body = await readJson(response);
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.issues).toEqual([expect.objectContaining({ code: 'invalid_request', field })]);
  });

  it('answers a NUL in a page’s path with the 400 error page naming the parameter', async () => {
    const response = await get('/targets/%00');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('invalid_request');
    expect(page).toContain('path id');
  });

  it('refuses a lone UTF-16 surrogate in a JSON body with 400 naming the field', async () => {
    const response = await fetch(`${api.baseUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{"feed":"a\\ud800b","role":"reader"}',
    });
    const body = await readJson(response);
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.error.issues).toEqual([expect.objectContaining({ code: 'invalid_request', field: 'feed' })]);
  });

  it('still answers a well-formed unknown target with 404', async () => {
    const response = await get('/v1/targets/no-such-target');
    expect(response.status).toBe(404);
    expect((await readJson(response)).error.code).toBe('not_found');
  });
});
