import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { openApiDocument } from '../openapi.js';
import type { ServerContext } from '../server-context.js';

export function openApiRoutes(api: ApiRouter, ctx: ServerContext): void {
  let document: Record<string, unknown> | null = null;
  api.route(
    {
      method: 'GET',
      path: '/api/openapi.json',
      tag: 'operations',
      summary: 'This OpenAPI 3.1 document, generated from the zod schemas the routes validate with',
      responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
    },
    // built on first use: every route is registered by then
    async () => (document ??= openApiDocument(api.operations, { version: ctx.version, secured: ctx.token !== null })),
  );
}
