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
});
