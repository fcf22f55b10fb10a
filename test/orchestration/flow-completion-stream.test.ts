import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { errorCompletion, successCompletion } from './flow-termination-fixtures.js';

const ids = (items: readonly { flow_id: string }[]): string[] => items.map((c) => c.flow_id);

describe('FlowCompletionStream', () => {
  it('delivers completions pushed before and while the consumer waits, in order', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const sub = stream.subscribe();
    stream.push(successCompletion('F1'));
    expect(sub.buffered).toBe(1);
    await expect(sub.next()).resolves.toEqual({ done: false, value: successCompletion('F1') });

    const waiting = sub.next();
    stream.push(errorCompletion('F2'));
    await expect(waiting).resolves.toEqual({ done: false, value: errorCompletion('F2') });
  });

  it('broadcasts every completion to every consumer', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const a = stream.subscribe();
    const b = stream.subscribe();
    stream.push(successCompletion('F1'));
    stream.push(errorCompletion('F2'));
    stream.close();
    const readAll = async (sub: AsyncIterable<{ flow_id: string }>): Promise<string[]> => {
      const seen: { flow_id: string }[] = [];
      for await (const c of sub) seen.push(c);
      return ids(seen);
    };
    await expect(readAll(a)).resolves.toEqual(['F1', 'F2']);
    await expect(readAll(b)).resolves.toEqual(['F1', 'F2']);
  });

  it('drops the oldest completions of a full consumer and counts them for that consumer only', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 100 });
    const slow = stream.subscribe({ bufferSize: 3 });
    const roomy = stream.subscribe();
    for (let i = 1; i <= 5; i++) stream.push(successCompletion(`F${i}`));
    expect(slow.dropped).toBe(2);
    expect(slow.buffered).toBe(3);
    expect(roomy.dropped).toBe(0);
    stream.close();
    const seen: string[] = [];
    for await (const c of slow) seen.push(c.flow_id);
    expect(seen).toEqual(['F3', 'F4', 'F5']);
  });

  it('behaves like a drop-oldest queue of its capacity for any sequence of pushes and reads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { maxLength: 60 }), async (capacity, ops) => {
        const stream = new FlowCompletionStream({ bufferSize: capacity });
        const sub = stream.subscribe();
        const model: string[] = [];
        let dropped = 0;
        let n = 0;
        for (const isPush of ops) {
          if (isPush) {
            const id = `F${++n}`;
            stream.push(successCompletion(id));
            model.push(id);
            if (model.length > capacity) {
              model.shift();
              dropped++;
            }
          } else if (model.length > 0) {
            const result = await sub.next();
            expect(result.value?.flow_id).toBe(model.shift());
          }
        }
        expect(sub.buffered).toBe(model.length);
        expect(sub.dropped).toBe(dropped);
        stream.close();
        const rest: string[] = [];
        for await (const c of sub) rest.push(c.flow_id);
        expect(rest).toEqual(model);
      }),
    );
  });

  it('removes a consumer that breaks out of for-await', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const sub = stream.subscribe();
    stream.push(successCompletion('F1'));
    stream.push(successCompletion('F2'));
    expect(stream.consumerCount).toBe(1);
    for await (const c of sub) {
      expect(c.flow_id).toBe('F1');
      break;
    }
    expect(stream.consumerCount).toBe(0);
    expect(sub.buffered).toBe(0);
    await expect(sub.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ends a waiting consumer when its signal aborts and removes it', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const controller = new AbortController();
    const sub = stream.subscribe({ signal: controller.signal });
    const waiting = sub.next();
    controller.abort();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(stream.consumerCount).toBe(0);
    stream.push(successCompletion('F1'));
    expect(sub.buffered).toBe(0);
  });

  it('returns an already ended consumer for an aborted signal or a closed stream', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const aborted = stream.subscribe({ signal: AbortSignal.abort() });
    await expect(aborted.next()).resolves.toMatchObject({ done: true });
    stream.close();
    const late = stream.subscribe();
    await expect(late.next()).resolves.toMatchObject({ done: true });
    expect(stream.consumerCount).toBe(0);
  });

  it('close ends waiting consumers and ignores later pushes', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const sub = stream.subscribe();
    const waiting = sub.next();
    stream.close();
    await expect(waiting).resolves.toMatchObject({ done: true });
    stream.push(successCompletion('F1'));
    expect(sub.buffered).toBe(0);
    expect(stream.closed).toBe(true);
  });

  it('keeps nothing when nobody listens', () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    for (let i = 0; i < 1000; i++) stream.push(successCompletion(`F${i}`));
    const sub = stream.subscribe();
    expect(sub.buffered).toBe(0);
    expect(sub.dropped).toBe(0);
  });

  it('refuses a second next() while one is pending instead of losing a completion', async () => {
    const stream = new FlowCompletionStream({ bufferSize: 10 });
    const sub = stream.subscribe();
    const first = sub.next();
    await expect(sub.next()).rejects.toThrow(/pending/);
    stream.push(successCompletion('F1'));
    await expect(first).resolves.toMatchObject({ value: { flow_id: 'F1' } });
  });

  it('rejects buffer sizes that are not positive integers', () => {
    expect(() => new FlowCompletionStream({ bufferSize: 0 })).toThrow(RangeError);
    const stream = new FlowCompletionStream({ bufferSize: 1 });
    expect(() => stream.subscribe({ bufferSize: 1.5 })).toThrow(RangeError);
  });
});
