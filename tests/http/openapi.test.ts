import { describe, expect, it } from 'vitest';
import { tokenRoutes } from '../../src/auth/token-routes.js';
import { backtestRoutes } from '../../src/evaluation/backtest-routes.js';
import { OpenApiRegistry } from '../../src/http/openapi-registry.js';
import { routesPlugin } from '../../src/http/route.js';
import { ingestRoutes } from '../../src/observations/ingest-routes.js';
import { observationRoutes } from '../../src/observations/observation-routes.js';
import { reportRoutes } from '../../src/reports/report-routes.js';
import { scorecardRoutes } from '../../src/scorecard/scorecard-routes.js';
import { scorecardComponents } from '../../src/scorecard/scorecard-schema.js';
import { expectGolden } from '../support/golden.js';

/**
 * The document main.ts builds from the ingest, read, token, scorecard, report and backtest route declarations
 * (their handlers' dependencies are not needed for it).
 */
function document() {
  const openapi = new OpenApiRegistry({ title: 'Pacer API', version: 'golden' });
  for (const [name, schema] of Object.entries(scorecardComponents)) openapi.component(name, schema);
  const unused = undefined as never;
  const routes = [
    ...ingestRoutes({
      ingestor: unused,
      batches: unused,
      openapi,
      maxBodyBytes: 1,
      maxConcurrentIngests: 1,
      maxIngestsPerToken: 1,
      ingestWait: { maxWaiting: 1, maxWaitMs: 1 },
      bodyIdleTimeoutMs: 1,
      bodyMaxMs: 1,
    }),
    ...observationRoutes({ reader: unused, catalog: unused, openapi }),
    ...tokenRoutes({ tokens: unused, openapi, indicatorIds: unused }),
    ...scorecardRoutes({ scorecard: unused, openapi }),
    ...reportRoutes({ reports: unused, openapi }),
    ...backtestRoutes({ backtest: unused, openapi }),
  ];
  routesPlugin(routes, { authorize: async () => undefined, openapi });
  return openapi.document();
}

describe('the OpenAPI document', () => {
  it('is generated from the routes’ zod schemas, the same every time (golden file)', async () => {
    const text = `${JSON.stringify(document(), null, 2)}\n`;
    expect(JSON.stringify(document(), null, 2)).toBe(text.trimEnd());
    await expectGolden('tests/http/golden/openapi.json', text);
  });

  it('only refers to components it defines, and documents every error status of the push', () => {
    const doc = document() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref);
    expect(Object.keys(doc.paths['/v1/observations']!.post!.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '408',
      '413',
      '415',
      '422',
      '429',
      '503',
    ]);
  });

  it('takes paths from more than one feature without a shared module-level registry', () => {
    const a = new OpenApiRegistry({ title: 'a', version: '1' });
    const b = new OpenApiRegistry({ title: 'b', version: '1' });
    a.operation({
      method: 'get',
      path: '/v1/targets',
      summary: 'targets',
      tags: ['targets'],
      access: 'read',
      responses: { 200: { description: 'ok' } },
    });
    expect(Object.keys(a.document().paths as object)).toEqual(['/v1/targets']);
    expect(Object.keys(b.document().paths as object)).toEqual([]);
  });
});
