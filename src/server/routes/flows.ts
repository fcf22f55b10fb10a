import { notFound, validationError } from '../api-errors.js';
import type { ApiRouter } from '../api-router.js';
import { ErrorSchema, FlowAnswer, FlowParams, FlowsAnswer, FlowsQuery } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';
import { timelineItem } from '../timeline.js';

interface Cursor {
  readonly started_at: string;
  readonly flow_id: string;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.started_at, c.flow_id]), 'utf8').toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { started_at: value[0], flow_id: value[1] };
  } catch {
    // reported below
  }
  throw validationError([{ index: null, path: 'cursor', rule: 'cursor', message: 'is not a cursor this API returned (next_cursor)' }], 'query');
}

/** A journal page of one flow: its causality is short, but a long-lived flow is still read in pages. */
const TIMELINE_PAGE = 1000;

export function flowRoutes(api: ApiRouter, ctx: ServerContext): void {
  const { flows, journal } = ctx.platform.store;

  api.route(
    {
      method: 'GET',
      path: '/api/flows',
      tag: 'flows',
      summary: 'Flows, newest first, filtered by state, strategy and start time; one page at a time (next_cursor)',
      query: FlowsQuery,
      responses: { 200: { description: 'a page of flows', schema: FlowsAnswer }, 400: { description: 'invalid query', schema: ErrorSchema } },
    },
    async ({ query }) => {
      const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      // one more than asked: whether a next page exists
      const rows = await flows.list({
        limit: query.limit + 1,
        ...(query.state ? { status: query.state } : {}),
        ...(query.strategy_id ? { strategy_id: query.strategy_id } : {}),
        ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
        ...(before ? { before } : {}),
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { flows: page, next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },
  );

  api.route(
    {
      method: 'GET',
      path: '/api/flows/:flow_id',
      tag: 'flows',
      summary: 'One flow with its causality timeline from the journal: directive → plans → orders → fills → ledger → events',
      params: FlowParams,
      responses: { 200: { description: 'the flow and its timeline', schema: FlowAnswer }, 404: { description: 'no such flow', schema: ErrorSchema } },
    },
    async ({ params }) => {
      const flow = await flows.get(params.flow_id);
      if (!flow) throw notFound(`no flow ${params.flow_id}`);
      const timeline = [];
      for (let after = 0; ; ) {
        const page = await journal.read({ flow_id: flow.flow_id, after_seq: after, limit: TIMELINE_PAGE });
        timeline.push(...page.map(timelineItem));
        if (page.length < TIMELINE_PAGE) break;
        after = page[page.length - 1]!.seq;
      }
      return { flow, timeline };
    },
  );
}
