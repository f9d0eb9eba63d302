import { z } from 'zod';
import { defineRoute, type Route } from './route.js';

/** Who may call an operation: anyone, or a bearer token of at least this role. */
export type OperationAccess = 'open' | 'read' | 'write' | 'admin';

/** Content by media type; `null` for a body that is not described by a schema (CSV). */
type Content = Record<string, z.ZodType | null>;

/** One operation of the HTTP API, described with the same zod schemas its handler validates with. */
export interface OperationDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI style: `/v1/batches/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: OperationAccess;
  /** 'read' operations are open unless PACER_READ_AUTH=token; say so in the document. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { description?: string; required?: boolean; content: Content };
  responses: Record<number, { description: string; content?: Content; headers?: Record<string, string> }>;
}

/**
 * The OpenAPI 3.1 document, built from what each feature registers: the wiring creates one
 * registry, hands it to every feature's routes, and serves it at `GET /openapi.json`. Named
 * schemas become components; JSON Schema comes from zod itself (`z.toJSONSchema`), so the
 * document and the validation cannot drift apart.
 */
export class OpenApiRegistry {
  private readonly operations: OperationDoc[] = [];
  private readonly components = new Map<z.ZodType, string>();

  constructor(private readonly info: { title: string; version: string; description?: string }) {}

  /** Registers a named schema (a component); returns it for chaining. */
  component<T extends z.ZodType>(name: string, schema: T): T {
    this.components.set(schema, name);
    return schema;
  }

  operation(doc: OperationDoc): void {
    this.operations.push(doc);
  }

  document(): Record<string, unknown> {
    const components = Object.fromEntries(
      [...this.components].map(([schema, name]) => [name, this.json(schema, 'output', true)]),
    );
    const paths: Record<string, Record<string, unknown>> = {};
    const sorted = [...this.operations].sort(
      (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
    );
    for (const op of sorted) {
      const parameters = [
        ...this.parameters(op.params, 'path'),
        ...this.parameters(op.query, 'query'),
        ...this.parameters(op.headers, 'header'),
      ];
      const pathWords = op.path
        .replace(/[{}]/g, '')
        .replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''));
      (paths[op.path] ??= {})[op.method] = {
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        tags: op.tags,
        operationId: `${op.method}${pathWords}`,
        ...(op.access === 'open'
          ? { security: [] }
          : op.access === 'read'
            ? { security: [{}, { bearer: [] }] }
            : { security: [{ bearer: [] }] }),
        ...(op.access !== 'open'
          ? {
              'x-pacer-role':
                op.access === 'read'
                  ? 'reader (only when PACER_READ_AUTH=token)'
                  : op.access === 'write'
                    ? 'writer'
                    : 'admin',
            }
          : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: op.body.required ?? true,
                ...(op.body.description ? { description: op.body.description } : {}),
                content: this.content(op.body.content),
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.headers
                ? {
                    headers: Object.fromEntries(
                      Object.entries(r.headers).map(([name, description]) => [
                        name,
                        { description, schema: { type: 'string' } },
                      ]),
                    ),
                  }
                : {}),
              ...(r.content ? { content: this.content(r.content) } : {}),
            },
          ]),
        ),
      };
    }
    return {
      openapi: '3.1.0',
      info: this.info,
      paths,
      components: {
        schemas: components,
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token from `pacer token create` (or PACER_ADMIN_TOKEN).',
          },
        },
      },
    };
  }

  private parameters(schema: z.ZodObject | undefined, where: 'path' | 'query' | 'header'): unknown[] {
    if (!schema) return [];
    return Object.entries(schema.shape).map(([name, field]) => {
      const json = this.json(field as z.ZodType, 'input');
      const description = json.description;
      delete json.description;
      return {
        name,
        in: where,
        required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: json,
      };
    });
  }

  private content(content: Content): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(content).map(([type, schema]) => [type, schema ? { schema: this.json(schema, 'output') } : {}]),
    );
  }

  /**
   * A schema as JSON Schema, with named ones (except the root of a component itself) as references to the components.
   */
  private json(schema: z.ZodType, io: 'input' | 'output', isComponent = false): Record<string, unknown> {
    const name = this.components.get(schema);
    if (name && !isComponent) return { $ref: `#/components/schemas/${name}` };
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      override: (ctx) => {
        const ref = ctx.path.length > 0 ? this.components.get(ctx.zodSchema as unknown as z.ZodType) : undefined;
        if (!ref) return;
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
        (ctx.jsonSchema as Record<string, unknown>).$ref = `#/components/schemas/${ref}`;
      },
    }) as Record<string, unknown>;
    delete json.$schema;
    return json;
  }
}

/** `GET /openapi.json`: the document, open to everyone; not part of itself. */
export function openApiRoute(registry: OpenApiRegistry): Route {
  let cached: string | undefined;
  return defineRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['meta'],
    access: 'open',
    document: false,
    responses: { 200: { description: 'The OpenAPI document.' } },
    handler: async ({ reply }) => {
      cached ??= JSON.stringify(registry.document(), null, 2);
      return reply.header('content-type', 'application/json; charset=utf-8').send(cached);
    },
  });
}
