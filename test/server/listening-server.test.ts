import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { startWorld, TOKEN, type ServerWorld } from './server-world.js';

let world: ServerWorld;
let base: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  world = await startWorld({ server: { body_limit_bytes: 4096 } });
  await world.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await world.close();
});

const post = (body: unknown, query = '') =>
  fetch(`${base}/api/directives${query}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** An SSE connection whose events are parsed as they arrive. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly #abort = new AbortController();
  #buffer = '';

  static async open(headers: Record<string, string>, query = ''): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(`${base}/api/events${query}`, { headers, signal: client.#abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    void client.#read(response.body!.getReader());
    return client;
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.#buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.#buffer.indexOf('\n\n')) !== -1) {
          const frame = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (id !== undefined && event !== undefined && data !== undefined) this.events.push({ id: Number(id), event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted by close()
    }
  }

  async until(predicate: (events: readonly SseEvent[]) => boolean, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > until) throw new Error(`events not seen within ${timeoutMs} ms: ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.#abort.abort();
  }
}

describe('the listening server', () => {
  it('refuses /api without the token (401) and answers 400 with field paths, 409 for a duplicate, 413 over the body limit', async () => {
    const anonymous = await fetch(`${base}/api/flows`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    const invalid = await post({ ...newTradeWire(), entry_plan: { symbol: 'BTC_USDT', direction: 'UP', order_type: 'MARKET' } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain('entry_plan.direction');

    const directive = newTradeWire();
    expect((await post(directive, '?wait=true')).status).toBe(202);
    const duplicate = await post(directive);
    expect(duplicate.status).toBe(409);

    const big = await post({ ...newTradeWire(), rationale: 'r'.repeat(5000) });
    expect(big.status).toBe(413);
  });

  it('streams flow stops, trades and order updates, and resumes after Last-Event-ID without losing one', async () => {
    const first = await SseClient.open(auth);
    const one = newTradeWire({ strategy_id: 'sse_1' });
    expect((await post(one, '?wait=true')).status).toBe(202);
    await first.until((events) => events.some((e) => e.event === 'flow_stop' && e.data.flow_id === one.directive_id));
    expect(first.events.map((e) => e.event)).toEqual(expect.arrayContaining(['order_update', 'TRADE_EXECUTED', 'flow_stop']));
    const ids = first.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const lastSeen = ids[ids.length - 1]!;
    first.close();

    // missed while disconnected
    const two = newTradeWire({ strategy_id: 'sse_2' });
    expect((await post(two, '?wait=true')).status).toBe(202);

    // EventSource's way: the token and the last id in the query
    const resumed = await SseClient.open({}, `?access_token=${TOKEN}&last_event_id=${lastSeen}`);
    await resumed.until((events) => events.some((e) => e.event === 'flow_stop' && e.data.flow_id === two.directive_id));
    expect(resumed.events[0]?.id).toBe(lastSeen + 1);
    expect(resumed.events.some((e) => e.event === 'reset')).toBe(false);
    resumed.close();

    const headerResume = await SseClient.open({ ...auth, 'last-event-id': String(lastSeen) });
    await headerResume.until((events) => events.some((e) => e.event === 'flow_stop' && e.data.flow_id === two.directive_id));
    expect(headerResume.events[0]?.id).toBe(lastSeen + 1);
    headerResume.close();
  });

  it('refuses the live stream without a token, in the header or the query', async () => {
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    expect((await fetch(`${base}/api/events?access_token=wrong`)).status).toBe(401);
    // the query token is for the stream only
    expect((await fetch(`${base}/api/flows?access_token=${TOKEN}`)).status).toBe(401);
  });
});
