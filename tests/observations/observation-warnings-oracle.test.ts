import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorKind } from '../../src/domain/observations/ingest-catalog.js';
import { seriesWarnings, type SeriesPoint } from '../../src/domain/observations/observation-warnings.js';
import { startIngestApi, type IngestApi, readJson } from '../support/ingest-api.js';
import { testBackends } from '../support/test-database.js';
import { seededRandom } from '../support/seeded-random.js';

const backends = await testBackends();
const DAY_MS = 86_400_000;

/** A series that mostly grows at a steady pace, with now and then a drop or a burst, on uneven days. */
function series(next: () => number, length: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  let at = Date.UTC(2025, 6, 1) - 7 * 3_600_000; // midnight in Asia/Ho_Chi_Minh
  let value = 1_000 + Math.floor(next() * 1_000);
  const pace = 10 + Math.floor(next() * 90);
  for (let i = 0; i < length; i++) {
    const r = next();
    const days = 1 + Math.floor(next() * 3);
    at += days * DAY_MS;
    if (r < 0.1) value -= Math.floor(pace * (1 + next() * 5));
    else if (r < 0.2) value += pace * days * (30 + Math.floor(next() * 30));
    else value += Math.floor(pace * days * (0.5 + next()));
    points.push({ at, value: Math.max(0, value) });
  }
  return points;
}

describe.each(backends)('the warnings SQL against the domain rule on %s', (backend) => {
  let api: IngestApi;
  let provinces: string[];
  beforeAll(async () => {
    api = await startIngestApi(backend, 'dq_oracle');
    provinces = (
      await api.database.db
        .selectFrom('regions')
        .select(['id', 'code'])
        .where('level', '=', 'province')
        .where('valid_from', 'is not', null)
        .orderBy('code')
        .execute()
    ).map((r) => r.code);
  });
  afterAll(() => api.close());

  it('stores exactly the flags the domain rule finds, for series pushed in one batch then appended to', async () => {
    const next = seededRandom(20251127);
    const kinds: [string, IndicatorKind][] = [
      ['chip_id_applications_received', 'cumulative'],
      ['telecom_subscribers_unstandardized', 'level'],
    ];
    const all: { indicator: string; kind: IndicatorKind; region: string; points: SeriesPoint[] }[] = [];
    for (const [indicator, kind] of kinds)
      for (const region of provinces.slice(0, 12)) all.push({ indicator, kind, region, points: series(next, 30) });
    const body = (part: 'first' | 'second') =>
      all
        .flatMap((s) => {
          const half = s.points.length / 2;
          return (part === 'first' ? s.points.slice(0, half) : s.points.slice(half)).map((p) =>
            JSON.stringify({
              indicator: s.indicator,
              region: s.region,
              observed_at: new Date(p.at).toISOString(),
              value: p.value,
            }),
          );
        })
        .join('\n');
    const first = await readJson(await api.push(body('first')));
    const second = await readJson(await api.push(body('second')));
    expect(first.rejected + second.rejected).toBe(0);

    const expected = all
      .flatMap((s) =>
        seriesWarnings(s.points, s.kind).map((f) => ({
          key: `${s.indicator} ${s.region} ${new Date(f.at).toISOString()} ${f.code}`,
          value: f.value,
          previous: f.previousValue,
        })),
      )
      .sort((a, b) => a.key.localeCompare(b.key));
    const stored = (
      await api.database.db
        .selectFrom('observation_warnings as w')
        .innerJoin('regions as r', 'r.id', 'w.region_id')
        .select(['w.indicator_id', 'r.code', 'w.observed_at', 'w.code as flag', 'w.value', 'w.previous_value'])
        .execute()
    )
      .map((w) => ({
        key: `${w.indicator_id} ${w.code} ${w.observed_at.toISOString()} ${w.flag}`,
        value: w.value,
        previous: w.previous_value,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(expected.some((f) => f.key.endsWith('decrease'))).toBe(true);
    expect(expected.some((f) => f.key.endsWith('jump'))).toBe(true);
    expect(stored).toEqual(expected);
    expect(first.warnings_total + second.warnings_total).toBe(expected.length);
  });
});
