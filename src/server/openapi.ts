import { z } from 'zod';
import type { Operation, ResponseDoc } from './api-router.js';

type AnyOperation = Operation<z.ZodType | undefined, z.ZodType | undefined>;

/** JSON Schema of a zod schema as the API sees it: bodies as sent (input), answers as produced (output). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** Query or path parameters: one per property of the (object) schema. */
function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): Record<string, unknown>[] {
  if (schema === undefined) return [];
  const json = jsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function response(doc: ResponseDoc): Record<string, unknown> {
  if (doc.schema === undefined && doc.contentType === undefined) return { description: doc.description };
  const schema = doc.schema === undefined ? {} : jsonSchema(doc.schema, 'output');
  return { description: doc.description, content: { [doc.contentType ?? 'application/json']: { schema } } };
}

const openApiPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** The OpenAPI 3.1 document of `operations`; `/api` operations need the bearer token when `secured`. */
export function openApiDocument(operations: readonly AnyOperation[], info: { readonly version: string; readonly secured: boolean }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const entry: Record<string, unknown> = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method.toLowerCase()}${openApiPath(op.path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
      responses: Object.fromEntries(Object.entries(op.responses).map(([status, doc]) => [status, response(doc)])),
    };
    if (op.body !== undefined) entry.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } };
    if (op.path.startsWith('/api/') && info.secured) entry.security = [{ bearer: [] }];
    (paths[openApiPath(op.path)] ??= {})[op.method.toLowerCase()] = entry;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'planexec',
      version: info.version,
      description: 'The HTTP API of planexec serve: directive intake, flows and their causality, positions, orders, journal, verify, and a live event stream.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
