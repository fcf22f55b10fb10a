import { ApiError, validationError } from '../api-errors.js';
import type { ApiRouter } from '../api-router.js';
import { DirectivesAnswer, DirectivesBody, DirectivesQuery, DuplicateAnswer, ErrorSchema, ValidationErrorSchema } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

/** The body's directives: one object, or `{"directives": [...]}`; `single` decides how a duplicate is answered. */
function itemsOf(body: unknown): { readonly items: readonly unknown[]; readonly single: boolean } {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'directives')) {
    const { directives, ...rest } = body as { directives: unknown };
    const extra = Object.keys(rest);
    if (extra.length > 0) throw validationError(extra.map((key) => ({ index: null, path: key, rule: 'unknown_field', message: 'is not a known field of a batch (only "directives")' })), 'batch');
    if (!Array.isArray(directives)) throw validationError([{ index: null, path: 'directives', rule: 'type', message: 'must be an array of directives' }], 'batch');
    if (directives.length === 0) throw validationError([{ index: null, path: 'directives', rule: 'min_items', message: 'must hold at least one directive' }], 'batch');
    return { items: directives, single: false };
  }
  if (body === undefined || body === null) throw validationError([{ index: null, path: '', rule: 'required', message: 'a JSON body is required: a directive, or {"directives": [...]}' }], 'body');
  return { items: [body], single: true };
}

export function directiveRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'POST',
      path: '/api/directives',
      tag: 'directives',
      summary: 'Submit one directive, or a batch {"directives": [...]}: 202 once each flow\'s DIRECTIVE_ACCEPTED is durable (?wait=true: once each flow stopped)',
      query: DirectivesQuery,
      body: DirectivesBody,
      responses: {
        202: { description: 'accepted: each flow and its status', schema: DirectivesAnswer },
        400: { description: 'invalid: every field path with its rule; nothing of the batch executed', schema: ValidationErrorSchema },
        409: { description: 'a single directive whose directive_id was already executed', schema: DuplicateAnswer },
        413: { description: 'body over server.body_limit_bytes', schema: ErrorSchema },
        429: { description: 'intake full: retry after Retry-After seconds', schema: ErrorSchema },
        503: { description: 'shutting down', schema: ErrorSchema },
      },
    },
    async ({ query, raw }, reply) => {
      if (ctx.draining()) throw new ApiError(503, 'draining', 'the server is shutting down and takes no new directives');
      const { items, single } = itemsOf(raw.body);
      const answer = await ctx.intake.submit(items, { wait: query.wait });
      switch (answer.kind) {
        case 'invalid':
          throw validationError(answer.issues, single ? 'directive' : 'batch');
        case 'full':
          throw new ApiError(429, 'intake_full', `${answer.pending} directive(s) in flight: over server.intake_max_pending; retry later`, {}, { 'retry-after': String(answer.retryAfterSeconds) });
        case 'accepted': {
          const [only] = answer.flows;
          if (single && only?.status === 'DUPLICATE') {
            const original = only.original;
            throw new ApiError(409, 'duplicate', `directive ${only.directive_id} was already executed (flow ${original?.flow_id ?? only.flow_id}${original ? `, ${original.status}` : ''})`, {
              flows: original ? [original] : [],
            });
          }
          return reply.code(202).send({ flows: answer.flows });
        }
      }
    },
  );
}
