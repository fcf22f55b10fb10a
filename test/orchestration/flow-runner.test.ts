import { describe, expect, it } from 'vitest';
import { FlowRunner } from '../../src/orchestration/flow-runner.js';
import { flushMicrotasks } from '../support/fake-clock.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('FlowRunner', () => {
  it('runs one key one task at a time, in arrival order', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 4 });
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const all = gates.map((g, i) =>
      runner.run('s1', async () => {
        log.push(`start${i}`);
        await g.promise;
        log.push(`end${i}`);
      }),
    );
    await flushMicrotasks();
    expect(log).toEqual(['start0']);
    gates[2]!.resolve();
    gates[1]!.resolve();
    await flushMicrotasks();
    expect(log).toEqual(['start0']);
    gates[0]!.resolve();
    await Promise.all(all);
    expect(log).toEqual(['start0', 'end0', 'start1', 'end1', 'start2', 'end2']);
  });

  it('runs different keys concurrently up to the limit', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 2 });
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const all = ['a', 'b', 'c', 'd'].map((k) =>
      runner.run(k, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
      }),
    );
    await flushMicrotasks();
    expect(runner.activeKeys).toBe(2);
    expect(runner.pending).toBe(4);
    gate.resolve();
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(runner.pending).toBe(0);
  });

  it('hands a task error to its caller and keeps the queue going', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 1 });
    const failed = runner.run('s', () => Promise.reject(new Error('boom')));
    const next = runner.run('s', () => Promise.resolve(42));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('lets a waiting strategy in between the tasks of a busy one', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 1 });
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(name);
      await Promise.resolve();
    };
    const all = [runner.run('a', task('a1')), runner.run('a', task('a2')), runner.run('b', task('b1'))];
    await Promise.all(all);
    expect(log).toEqual(['a1', 'b1', 'a2']);
  });

  it('drains: resolves once everything queued has finished', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 1 });
    const gate = deferred();
    let done = false;
    const work = runner.run('a', async () => {
      await gate.promise;
      done = true;
    });
    const drained = runner.drain().then(() => done);
    gate.resolve();
    await work;
    await expect(drained).resolves.toBe(true);
    await expect(runner.drain()).resolves.toBeUndefined();
  });

  it('abandonQueued drops waiting droppable tasks only: they never start and settle with their abandoned value', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 1 });
    const gate = deferred();
    const started: string[] = [];
    const task = (name: string, wait?: Promise<void>) => async () => {
      started.push(name);
      await wait;
      return name;
    };
    const running = runner.run('a', task('a1', gate.promise), { abandoned: () => 'dropped-a1', tag: 'a1' });
    const a2 = runner.run('a', task('a2'), { abandoned: () => 'dropped-a2', tag: 'a2' });
    const a3 = runner.run('a', task('a3')); // not droppable
    const b1 = runner.run('b', task('b1'), { abandoned: () => 'dropped-b1', tag: 'b1' });
    const c1 = runner.run('c', task('c1'), { abandoned: () => 'dropped-c1', tag: 'c1' });
    await flushMicrotasks();
    expect(started).toEqual(['a1']);
    expect(runner.pending).toBe(5);

    expect(runner.abandonQueued((tag) => tag !== 'c1')).toEqual(['a2', 'b1']);
    expect(runner.pending).toBe(3);
    expect(await a2).toBe('dropped-a2');
    expect(await b1).toBe('dropped-b1');

    gate.resolve();
    expect(await running).toBe('a1');
    expect(await a3).toBe('a3');
    expect(await c1).toBe('c1');
    await runner.drain();
    expect(started).toEqual(['a1', 'c1', 'a3']);
    // a key whose queue was emptied still runs what comes later
    expect(await runner.run('b', task('b2'))).toBe('b2');
  });

  it('drain resolves once the abandoned tasks are gone and the rest finished', async () => {
    const runner = new FlowRunner({ maxConcurrentKeys: 1 });
    const gate = deferred();
    void runner.run('a', () => gate.promise);
    void runner.run('b', () => Promise.resolve(), { abandoned: () => undefined });
    let drained = false;
    const draining = runner.drain().then(() => (drained = true));
    runner.abandonQueued();
    await flushMicrotasks();
    expect(drained).toBe(false);
    gate.resolve();
    await draining;
    expect(runner.pending).toBe(0);
  });
});
