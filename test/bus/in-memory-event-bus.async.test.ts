import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventHandler } from '../../src/ports/bus.js';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import { RecordingLogger } from './recording-logger.js';

/** Lets pending promise jobs and Node's unhandled-rejection check run (a macrotask turn, no timer). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** An async handler, typed as the bus's void handler the way a careless subscriber would pass it. */
function asyncHandler(fn: (payload: unknown) => Promise<void>): EventHandler<unknown> {
  return fn as unknown as EventHandler<unknown>;
}

describe('InMemoryEventBus with handlers that return promises', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('catches and logs an async rejection instead of leaking an unhandled rejection', async () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    const boom = new Error('async boom');
    const id = bus.subscribe(
      'E',
      asyncHandler(async () => {
        await Promise.resolve();
        throw boom;
      }),
    );
    let after = 0;
    bus.subscribe('E', () => after++);

    bus.publish('E', null, { level: 'strategy', strategyInstanceId: 'A' });
    expect(after).toBe(1);
    await settle();

    expect(unhandled).toEqual([]);
    expect(logger.records).toEqual([
      {
        level: 'error',
        msg: 'async event handler rejected',
        obj: { event_name: 'E', subscription_id: id, strategy_instance_id: 'A', critical: false, err: boom },
      },
    ]);
  });

  it('applies critical semantics to synchronous throws only: a critical async rejection is logged, publish does not throw', async () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    bus.subscribe(
      'E',
      asyncHandler(() => Promise.reject(new Error('late'))),
      { critical: true },
    );
    let after = 0;
    bus.subscribe('E', () => after++);

    expect(() => bus.publish('E', null)).not.toThrow();
    expect(after).toBe(1);
    await settle();

    expect(unhandled).toEqual([]);
    expect(logger.records).toHaveLength(1);
    expect(logger.records[0]?.level).toBe('error');
    expect(logger.records[0]?.obj.critical).toBe(true);
  });

  it('also owns a rejecting non-native thenable', async () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    const thenable = {
      then(_resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
        reject(new Error('thenable says no'));
      },
    };
    bus.subscribe('E', (() => thenable) as unknown as EventHandler<unknown>);
    bus.publish('E', null);
    await settle();
    expect(unhandled).toEqual([]);
    expect((logger.records[0]?.obj.err as Error).message).toBe('thenable says no');
  });

  it('logs nothing for an async handler that resolves, and for handlers that return plain values', async () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    let done = false;
    bus.subscribe(
      'E',
      asyncHandler(async () => {
        await Promise.resolve();
        done = true;
      }),
    );
    bus.subscribe('E', (() => ({ then: 'not a function' })) as unknown as EventHandler<unknown>);
    bus.subscribe('E', (() => 42) as unknown as EventHandler<unknown>);
    bus.subscribe('E', (() => null) as unknown as EventHandler<unknown>);
    bus.publish('E', null);
    await settle();
    expect(done).toBe(true);
    expect(unhandled).toEqual([]);
    expect(logger.records).toEqual([]);
  });

  it('does not leak a rejection even when the logger itself throws', async () => {
    const bus = new InMemoryEventBus({
      logger: {
        error: () => {
          throw new Error('logger broken');
        },
      },
    });
    bus.subscribe(
      'E',
      asyncHandler(() => Promise.reject(new Error('late'))),
    );
    bus.publish('E', null);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
