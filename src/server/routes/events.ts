import type { ApiRouter } from '../api-router.js';
import { EventsQuery, LiveEventSchemas } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

function lastEventId(header: string | string[] | undefined, query: number | undefined): number | null {
  const text = Array.isArray(header) ? header[0] : header;
  if (text !== undefined && /^\d{1,15}$/.test(text.trim())) return Number(text.trim());
  return query ?? null;
}

export function eventRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'GET',
      path: '/api/events',
      tag: 'live',
      summary:
        'Server-Sent Events: flow_stop, TRADE_EXECUTED, EXECUTION_FAILED, order_update, trading_state; resume with Last-Event-ID (or ?last_event_id=); a resume the buffer no longer covers starts with one reset event',
      query: EventsQuery,
      responses: { 200: { description: 'text/event-stream; each event\'s data is the JSON of its schema here', contentType: 'text/event-stream', schema: LiveEventSchemas } },
    },
    async ({ query, raw }, reply) => {
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...corsHeadersOf(reply.getHeaders()),
      });
      res.write('retry: 2000\n\n');
      const disconnect = ctx.events.connect(
        {
          write: (chunk) => res.write(chunk),
          onDrain: (listener) => res.on('drain', listener),
          end: () => res.end(),
        },
        lastEventId(raw.headers['last-event-id'], query.last_event_id),
      );
      raw.raw.on('close', disconnect);
    },
  );
}

/** Headers the CORS hook set before the stream took the response over. */
function corsHeadersOf(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (key.startsWith('access-control-') || key === 'vary') out[key] = String(value);
  return out;
}
