import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenApiRegistry } from '../../src/http/openapi-registry.js';
import { scorecardRoutes } from '../../src/scorecard/scorecard-routes.js';
import { scorecardComponents } from '../../src/scorecard/scorecard-schema.js';

const scorecardOperations = scorecardRoutes({
  scorecard: undefined as never,
  openapi: new OpenApiRegistry({ title: 'scorecard', version: '1' }),
});

/**
 * The route declarations the OpenAPI document is built from (`GET /openapi.json` describes each
 * documented route): every schema must convert to JSON Schema, as zod's own `z.toJSONSchema` does it.
 */
describe('the scorecard operations for OpenAPI', () => {
  it(
    'describes GET /v1/targets and GET /v1/targets/{id} with ' + 'parameters and responses that convert to JSON Schema',
    () => {
      expect(scorecardOperations.map((op) => `${op.method} ${op.path}`)).toEqual([
        'get /v1/targets',
        'get /v1/targets/{id}',
      ]);
      for (const op of scorecardOperations) {
        for (const part of [op.params, op.query]) {
          if (!part) continue;
          const json = z.toJSONSchema(part, { io: 'input' }) as { properties: Record<string, unknown> };
          expect(Object.keys(json.properties).length).toBeGreaterThan(0);
        }
        for (const [status, response] of Object.entries(op.responses)) {
          expect(Number(status)).toBeGreaterThanOrEqual(200);
          for (const schema of Object.values(response.content ?? {}))
            expect(() => z.toJSONSchema(schema!, { io: 'output' })).not.toThrow();
        }
      }
      const query = z.toJSONSchema(scorecardOperations[0]!.query!, { io: 'input' }) as {
        properties: Record<string, { description?: string }>;
      };
      expect(Object.keys(query.properties)).toEqual(['at', 'known_at', 'lang', 'status', 'owner', 'directive']);
      expect(query.properties.at!.description).toContain('end of that day');
      expect(query.properties.known_at!.description).toContain('as known then');
      expect(Object.keys(scorecardComponents)).toEqual(['TargetSummary', 'TargetList', 'TargetDetail']);
    },
  );
});
