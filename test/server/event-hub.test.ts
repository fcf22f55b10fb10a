import { describe, expect, it } from 'vitest';
import { EventHub, type StreamSink } from '../../src/server/event-hub.js';

/** A client sink that records frames; `full` makes writes report a full socket until `drain()`. */
class RecordingSink implements StreamSink {
  readonly frames: string[] = [];
  full = false;
  ended = false;
  #drain: (() => void) | null = null;

  write(chunk: string | Buffer): boolean {
    this.frames.push(chunk.toString());
    return !this.full;
  }

  onDrain(listener: () => void): void {
    this.#drain = listener;
  }

  end(): void {
    this.ended = true;
  }

  drain(): void {
    this.full = false;
    this.#drain?.();
  }

  /** Event names in the order written (a write may carry several). */
  events(): string[] {
    return [...this.frames.join('').matchAll(/^event: (\S+)$/gm)].map((m) => m[1]!);
  }

  ids(): number[] {
    return [...this.frames.join('').matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

/** With flushDelayMs 0 the hub writes on the next turn of the event loop. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventHub', () => {
  it('numbers events 1, 2, 3… and writes each to every connected client, once per turn of the event loop', async () => {
    const hub = new EventHub({ bufferSize: 10, flushDelayMs: 0 });
    const a = new RecordingSink();
    const b = new RecordingSink();
    hub.connect(a, null);
    hub.publish('flow_stop', { flow_id: 'F1' });
    await tick();
    hub.connect(b, null);
    hub.publish('order_update', { client_order_id: 'C1' });
    hub.publish('order_update', { client_order_id: 'C2' });
    expect(b.frames).toEqual([]);
    await tick();
    expect(b.frames).toHaveLength(1);
    expect(a.ids()).toEqual([1, 2, 3]);
    expect(b.ids()).toEqual([2, 3]);
    expect(a.frames[0]).toBe('id: 1\nevent: flow_stop\ndata: {"flow_id":"F1"}\n\n');
  });

  it('replays the events after Last-Event-ID to a client that resumes within the buffer', () => {
    const hub = new EventHub({ bufferSize: 5, flushDelayMs: 0 });
    for (let i = 1; i <= 7; i += 1) hub.publish('flow_stop', { i });
    const resumed = new RecordingSink();
    hub.connect(resumed, 4);
    expect(resumed.ids()).toEqual([5, 6, 7]);
    const current = new RecordingSink();
    hub.connect(current, 7);
    expect(current.frames).toEqual([]);
  });

  it('sends one reset first to a resume older than the buffer or from an earlier run of the server', async () => {
    const hub = new EventHub({ bufferSize: 3, flushDelayMs: 0 });
    for (let i = 1; i <= 10; i += 1) hub.publish('flow_stop', { i });
    const old = new RecordingSink();
    hub.connect(old, 2);
    expect(old.events()).toEqual(['reset']);
    expect(old.ids()).toEqual([10]);
    const future = new RecordingSink();
    hub.connect(future, 99);
    expect(future.events()).toEqual(['reset']);
    hub.publish('flow_stop', { i: 11 });
    await tick();
    expect(old.ids()).toEqual([10, 11]);
  });

  it('never blocks on a slow client: its queue is bounded, then dropped, and it gets a reset once it drains', async () => {
    const hub = new EventHub({ bufferSize: 100, clientQueueSize: 3, flushDelayMs: 0 });
    const slow = new RecordingSink();
    const fast = new RecordingSink();
    hub.connect(slow, null);
    hub.connect(fast, null);
    slow.full = true;
    hub.publish('flow_stop', { i: 1 });
    await tick();
    for (let i = 2; i <= 10; i += 1) {
      hub.publish('flow_stop', { i });
      await tick();
    }
    expect(fast.ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // the one write that found the socket full, nothing more while it stays full
    expect(slow.ids()).toEqual([1]);
    slow.drain();
    expect(slow.events().slice(1)).toEqual(['reset']);
    hub.publish('flow_stop', { i: 11 });
    await tick();
    expect(slow.ids().at(-1)).toBe(11);
  });

  it('delivers what a congested client queued, in order, once it drains within its bound', async () => {
    const hub = new EventHub({ bufferSize: 100, clientQueueSize: 10, flushDelayMs: 0 });
    const sink = new RecordingSink();
    hub.connect(sink, null);
    sink.full = true;
    hub.publish('flow_stop', { i: 0 });
    await tick();
    hub.publish('flow_stop', { i: 1 });
    hub.publish('flow_stop', { i: 2 });
    await tick();
    sink.drain();
    expect(sink.ids()).toEqual([1, 2, 3]);
  });

  it('gathers the events of a flush delay into one write per client', async () => {
    const hub = new EventHub({ bufferSize: 10, flushDelayMs: 20 });
    const sink = new RecordingSink();
    hub.connect(sink, null);
    for (let i = 0; i < 5; i += 1) hub.publish('order_update', { i });
    await tick();
    expect(sink.frames).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(sink.frames).toHaveLength(1);
    expect(sink.ids()).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends an order updated several times within one flush delay once, in its latest state, after the batch; other orders and events all go out', async () => {
    const hub = new EventHub({ bufferSize: 10, flushDelayMs: 20 });
    const sink = new RecordingSink();
    hub.connect(sink, null);
    hub.publish('order_update', { client_order_id: 'E1', status: 'PENDING' }, 'order:E1');
    hub.publish('flow_stop', { flow_id: 'F1' });
    hub.publish('order_update', { client_order_id: 'E2', status: 'PENDING' }, 'order:E2');
    hub.publish('order_update', { client_order_id: 'E1', status: 'FILLED' }, 'order:E1');
    await new Promise((r) => setTimeout(r, 40));
    const text = sink.frames.join('');
    expect([...text.matchAll(/event: (\S+)\ndata: (.*)/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'flow_stop {"flow_id":"F1"}',
      'order_update {"client_order_id":"E2","status":"PENDING"}',
      'order_update {"client_order_id":"E1","status":"FILLED"}',
    ]);
    expect(sink.ids()).toEqual([1, 2, 3]);
    // a later state of the same order is its own event again
    hub.publish('order_update', { client_order_id: 'E2', status: 'FILLED' }, 'order:E2');
    await new Promise((r) => setTimeout(r, 40));
    expect(sink.ids()).toEqual([1, 2, 3, 4]);
  });

  it('keeps coalesced events for clients that resume: they are numbered and buffered when flushed', async () => {
    const hub = new EventHub({ bufferSize: 10, flushDelayMs: 0 });
    hub.publish('order_update', { client_order_id: 'E1', status: 'PENDING' }, 'order:E1');
    hub.publish('order_update', { client_order_id: 'E1', status: 'OPEN' }, 'order:E1');
    await tick();
    expect(hub.lastId).toBe(1);
    const sink = new RecordingSink();
    hub.connect(sink, 0);
    expect(sink.frames.join('')).toContain('"status":"OPEN"');
  });

  it('writes what is waiting, then ends every stream on close and ignores later events', () => {
    const hub = new EventHub({ bufferSize: 10, flushDelayMs: 1000 });
    const sink = new RecordingSink();
    hub.connect(sink, null);
    hub.publish('flow_stop', {});
    hub.close();
    hub.publish('flow_stop', {});
    expect(sink.ended).toBe(true);
    expect(sink.ids()).toEqual([1]);
  });
});
