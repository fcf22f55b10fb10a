import { executionQuality, ExecutionQualityQuerySchema, ExecutionQualityResponseSchema, parseExecutionQualityQuery, styleShortfall } from '../../app/execution-quality.js';
import { exportHeaders, exportStream, ExportKindSchema, ExportQuerySchema, parseExportRequest } from '../../app/export/index.js';
import { ValidationError } from '../../domain/errors.js';
import type { IReadModels } from '../../ports/read-models.js';
import type { ApiRouter } from '../api-router.js';
import { validationError } from '../api-errors.js';
import { ErrorSchema, ValidationErrorSchema } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';
import { z } from 'zod';

/** A read model's ValidationError as the API's 400 (every field with its rule). */
function refused<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValidationError) throw validationError(error.issues.map((i) => ({ ...i, index: null })), what);
    throw error;
  }
}

/** Exports (the same files as `planexec export`) and execution quality, read from the running store. */
export function readModelRoutes(api: ApiRouter, ctx: ServerContext): void {
  const source = (): IReadModels => ctx.platform.store.readModels;

  api.route(
    {
      method: 'GET',
      path: '/api/export/:kind',
      tag: 'exports',
      summary: 'Trades, orders, fills or the journal as a CSV or JSON Lines download (the same as planexec export), optionally within [from, to)',
      params: z.object({ kind: ExportKindSchema }),
      query: ExportQuerySchema,
      responses: {
        200: { description: 'the file, streamed', contentType: 'text/csv' },
        400: { description: 'kind, format or window refused', schema: ValidationErrorSchema },
      },
    },
    async ({ raw }, reply) => {
      const request = refused('export request', () => parseExportRequest((raw.params as { kind?: unknown }).kind, raw.query));
      return reply.headers(exportHeaders(request.kind, request.format)).send(exportStream(request.kind, request.format, source(), request.range));
    },
  );

  api.route(
    {
      method: 'GET',
      path: '/api/execution-quality',
      tag: 'ledger',
      summary:
        'Per strategy and symbol: fills, slippage against the price at the directive\'s time (bps, + = worse), latency accepted → first fill, fill ratio; per execution style: entries, child orders, implementation shortfall against the decision price',
      query: ExecutionQualityQuerySchema,
      responses: { 200: { description: 'one row per strategy and symbol, one per execution style', schema: ExecutionQualityResponseSchema }, 400: { description: 'invalid query', schema: ErrorSchema } },
    },
    async ({ raw }) => {
      const filter = refused('execution-quality query', () => parseExecutionQualityQuery(raw.query));
      const [rows, styles] = await Promise.all([executionQuality(source(), filter), styleShortfall(source(), filter)]);
      return { rows, styles };
    },
  );
}
