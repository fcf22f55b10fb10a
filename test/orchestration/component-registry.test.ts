import { describe, expect, it } from 'vitest';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';

describe('InMemoryComponentRegistry', () => {
  it('disposes a flow\'s components in reverse registration order and forgets the flow', async () => {
    const registry = new InMemoryComponentRegistry();
    const order: string[] = [];
    registry.registerFn('F1', () => void order.push('cache'));
    registry.register('F1', { dispose: () => void order.push('worker') });
    registry.registerFn('F1', () => void order.push('timer'));
    expect(registry.size()).toBe(1);
    expect(registry.componentCount('F1')).toBe(3);

    const errors = await registry.disposeFlow('F1');

    expect(order).toEqual(['timer', 'worker', 'cache']);
    expect(errors).toEqual([]);
    expect(registry.size()).toBe(0);
    expect(registry.componentCount('F1')).toBe(0);
  });

  it('runs synchronous disposers inside the disposeFlow call itself', () => {
    const registry = new InMemoryComponentRegistry();
    let disposed = false;
    registry.registerFn('F1', () => {
      disposed = true;
    });
    const pending = registry.disposeFlow('F1');
    expect(disposed).toBe(true);
    expect(registry.size()).toBe(0);
    return pending;
  });

  it('awaits an async disposer before disposing the component registered before it', async () => {
    const registry = new InMemoryComponentRegistry();
    const order: string[] = [];
    let releaseSlow!: () => void;
    registry.registerFn('F1', () => void order.push('first'));
    registry.registerFn('F1', () => new Promise<void>((resolve) => (releaseSlow = () => {
      order.push('slow done');
      resolve();
    })));
    registry.registerFn('F1', () => void order.push('last'));

    const pending = registry.disposeFlow('F1');
    expect(order).toEqual(['last']);
    expect(registry.size()).toBe(0);
    releaseSlow();
    await pending;
    expect(order).toEqual(['last', 'slow done', 'first']);
  });

  it('collects errors of throwing and rejecting disposers and still disposes the others', async () => {
    const registry = new InMemoryComponentRegistry();
    const disposed: string[] = [];
    const syncFailure = new Error('sync dispose failed');
    const asyncFailure = new Error('async dispose failed');
    registry.registerFn('F1', () => void disposed.push('a'));
    registry.registerFn('F1', () => {
      throw syncFailure;
    });
    registry.registerFn('F1', () => void disposed.push('c'));
    registry.registerFn('F1', () => Promise.reject(asyncFailure));
    registry.registerFn('F1', () => void disposed.push('e'));

    const errors = await registry.disposeFlow('F1');

    expect(disposed).toEqual(['e', 'c', 'a']);
    expect(errors).toEqual([asyncFailure, syncFailure]);
    expect(registry.size()).toBe(0);
  });

  it('reports errors of synchronous-only disposers without going async', async () => {
    const registry = new InMemoryComponentRegistry();
    const failure = new Error('boom');
    registry.registerFn('F1', () => {
      throw failure;
    });
    await expect(registry.disposeFlow('F1')).resolves.toEqual([failure]);
  });

  it('resolves with no errors for a flow that registered nothing, and twice for the same flow', async () => {
    const registry = new InMemoryComponentRegistry();
    registry.registerFn('F1', () => undefined);
    await expect(registry.disposeFlow('UNKNOWN')).resolves.toEqual([]);
    await expect(registry.disposeFlow('F1')).resolves.toEqual([]);
    await expect(registry.disposeFlow('F1')).resolves.toEqual([]);
    expect(registry.size()).toBe(0);
  });

  it('keeps flows apart: disposing one leaves the others registered', async () => {
    const registry = new InMemoryComponentRegistry();
    const disposed: string[] = [];
    registry.registerFn('F1', () => void disposed.push('F1'));
    registry.registerFn('F2', () => void disposed.push('F2'));
    await registry.disposeFlow('F1');
    expect(disposed).toEqual(['F1']);
    expect(registry.size()).toBe(1);
    expect(registry.componentCount('F2')).toBe(1);
  });

  it('treats a registration after the flow was disposed as a new registration', async () => {
    const registry = new InMemoryComponentRegistry();
    registry.registerFn('F1', () => undefined);
    await registry.disposeFlow('F1');
    registry.registerFn('F1', () => undefined);
    expect(registry.size()).toBe(1);
    await registry.disposeFlow('F1');
    expect(registry.size()).toBe(0);
  });

  it('rejects registrations without a flow id or without a dispose method at registration time', () => {
    const registry = new InMemoryComponentRegistry();
    expect(() => registry.registerFn('', () => undefined)).toThrow(TypeError);
    expect(() => registry.register('F1', {} as never)).toThrow(/dispose\(\) method/);
    expect(() => registry.register('F1', null as never)).toThrow(TypeError);
    expect(() => registry.registerFn('F1', 'nope' as never)).toThrow(TypeError);
    expect(registry.size()).toBe(0);
  });
});
