import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PublishScope, SubscriptionScope } from '../../src/ports/bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import { BusError, CriticalEventHandlerError } from '../../src/domain/errors.js';
import { RecordingLogger } from './recording-logger.js';

const platform: PublishScope = { level: 'platform' };
const strategy = (id: string): PublishScope => ({ level: 'strategy', strategyInstanceId: id });

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('InMemoryEventBus routing', () => {
  it('delivers the payload to a subscriber of the exact event name', () => {
    const bus = new InMemoryEventBus();
    const got: unknown[] = [];
    bus.subscribe('TRADE_EXECUTED', (p) => got.push(p));
    bus.publish('TRADE_EXECUTED', { n: 1 });
    expect(got).toEqual([{ n: 1 }]);
  });

  it('does not deliver to other names, prefixes or look-alike wildcards', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('TRADE', () => got.push('TRADE'));
    bus.subscribe('TRADE_*', () => got.push('TRADE_*'));
    bus.subscribe('*', () => got.push('*'));
    bus.subscribe('trade_executed', () => got.push('lower'));
    bus.publish('TRADE_EXECUTED', {});
    expect(got).toEqual([]);
  });

  it('treats publishing with no subscribers as a no-op', () => {
    const bus = new InMemoryEventBus();
    expect(() => bus.publish('NOBODY_LISTENS', { x: 1 })).not.toThrow();
    expect(() => bus.publish('NOBODY_LISTENS', { x: 1 }, strategy('A'))).not.toThrow();
  });

  it('calls handlers in subscription order', () => {
    const bus = new InMemoryEventBus();
    const order: number[] = [];
    for (let i = 0; i < 10; i++) bus.subscribe('E', () => order.push(i));
    bus.publish('E', null);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps subscription order across scopes and after an unsubscribe in the middle', () => {
    const bus = new InMemoryEventBus();
    const order: string[] = [];
    bus.subscribe('E', () => order.push('p1'));
    const s2 = bus.subscribe('E', () => order.push('sA'), { scope: { level: 'strategy', strategyInstanceId: 'A' } });
    bus.subscribe('E', () => order.push('p3'), { scope: { level: 'platform', targetStrategyIds: new Set(['A']) } });
    bus.subscribe('E', () => order.push('sA2'), { scope: { level: 'strategy', strategyInstanceId: 'A' } });
    bus.publish('E', null, strategy('A'));
    bus.unsubscribe(s2);
    bus.publish('E', null, strategy('A'));
    expect(order).toEqual(['p1', 'sA', 'p3', 'sA2', 'p1', 'p3', 'sA2']);
  });

  it('calls the handler with the payload only, and not bound to the bus internals', () => {
    const bus = new InMemoryEventBus();
    let args: unknown[] = [];
    let unbound = false;
    bus.subscribe('E', function (this: unknown, ...a: unknown[]) {
      args = a;
      unbound = this === undefined;
    });
    bus.publish('E', 'payload', strategy('A'));
    expect(args).toEqual(['payload']);
    expect(unbound).toBe(true);
  });

  it('is typed by an event map (PlanexecEvents) and accepts a pino logger', () => {
    const bus = new InMemoryEventBus<PlanexecEvents>({ logger: pino({ level: 'silent' }) });
    const seen: string[] = [];
    bus.subscribe('_flow_stop_error', (p) => seen.push(p.flow_id));
    bus.publish('_flow_stop_error', { flow_id: 'F1' } as PlanexecEvents['_flow_stop_error']);
    expect(seen).toEqual(['F1']);
  });
});

describe('InMemoryEventBus scope filtering (reference §4.2)', () => {
  const subs: Record<string, SubscriptionScope> = {
    'STRATEGY id=A': { level: 'strategy', strategyInstanceId: 'A' },
    'STRATEGY id=null': { level: 'strategy', strategyInstanceId: null },
    'STRATEGY id=B': { level: 'strategy', strategyInstanceId: 'B' },
    'PLATFORM targets=null': { level: 'platform', targetStrategyIds: null },
    'PLATFORM targets absent': { level: 'platform' },
    'PLATFORM targets={B}': { level: 'platform', targetStrategyIds: new Set(['B']) },
    'PLATFORM targets={A,B}': { level: 'platform', targetStrategyIds: new Set(['A', 'B']) },
    'PLATFORM targets={}': { level: 'platform', targetStrategyIds: new Set<string>() },
  };
  const table: ReadonlyArray<readonly [string, PublishScope, string, boolean]> = [
    ['PLATFORM', platform, 'STRATEGY id=A', true],
    ['PLATFORM', platform, 'STRATEGY id=null', true],
    ['PLATFORM', platform, 'STRATEGY id=B', true],
    ['PLATFORM', platform, 'PLATFORM targets=null', true],
    ['PLATFORM', platform, 'PLATFORM targets absent', true],
    ['PLATFORM', platform, 'PLATFORM targets={B}', true],
    ['PLATFORM', platform, 'PLATFORM targets={A,B}', true],
    ['PLATFORM', platform, 'PLATFORM targets={}', true],
    ['STRATEGY id=A', strategy('A'), 'STRATEGY id=A', true],
    ['STRATEGY id=A', strategy('A'), 'STRATEGY id=null', false],
    ['STRATEGY id=A', strategy('A'), 'STRATEGY id=B', false],
    ['STRATEGY id=A', strategy('A'), 'PLATFORM targets=null', true],
    ['STRATEGY id=A', strategy('A'), 'PLATFORM targets absent', true],
    ['STRATEGY id=A', strategy('A'), 'PLATFORM targets={B}', false],
    ['STRATEGY id=A', strategy('A'), 'PLATFORM targets={A,B}', true],
    ['STRATEGY id=A', strategy('A'), 'PLATFORM targets={}', false],
  ];

  it.each(table)('publish %s → subscriber %s receives: %s', (_p, publishScope, subName, receives) => {
    const bus = new InMemoryEventBus();
    let calls = 0;
    bus.subscribe('E', () => calls++, { scope: subs[subName] });
    bus.publish('E', null, publishScope);
    expect(calls).toBe(receives ? 1 : 0);
  });

  it('routes one strategy publish to exactly the matching subscribers of a mixed set', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    for (const [name, scope] of Object.entries(subs)) bus.subscribe('E', () => got.push(name), { scope });
    bus.publish('E', null, strategy('A'));
    expect(got).toEqual(['STRATEGY id=A', 'PLATFORM targets=null', 'PLATFORM targets absent', 'PLATFORM targets={A,B}']);
    got.length = 0;
    bus.publish('E', null);
    expect(got).toEqual(Object.keys(subs));
  });

  it('fixes target strategies at subscribe time, whatever the caller later does to its set', () => {
    const bus = new InMemoryEventBus();
    const targets = new Set(['B']);
    let calls = 0;
    bus.subscribe('E', () => calls++, { scope: { level: 'platform', targetStrategyIds: targets } });
    targets.add('A');
    bus.publish('E', null, strategy('A'));
    expect(calls).toBe(0);
  });

  it('refuses a strategy publish without a strategy instance id', () => {
    const bus = new InMemoryEventBus();
    let calls = 0;
    bus.subscribe('E', () => calls++);
    for (const scope of [
      { level: 'strategy', strategyInstanceId: '' },
      { level: 'strategy' },
      { level: 'strategy', strategyInstanceId: null },
    ]) {
      const error = catchError(() => bus.publish('E', null, scope as PublishScope));
      expect(error).toBeInstanceOf(BusError);
      expect((error as BusError).code).toBe('STRATEGY_SCOPE_REQUIRES_ID');
      expect((error as BusError).message).toMatch(/E at strategy scope needs a non-empty strategyInstanceId/);
    }
    expect(calls).toBe(0);
  });

  it('refuses an unknown publish scope level', () => {
    const bus = new InMemoryEventBus();
    const error = catchError(() => bus.publish('E', null, { level: 'global' } as unknown as PublishScope));
    expect((error as BusError).code).toBe('INVALID_PUBLISH_SCOPE');
  });

  it('refuses a subscription scope that can never be valid', () => {
    const bus = new InMemoryEventBus();
    for (const scope of [{ level: 'strategy', strategyInstanceId: '' }, { level: 'strategy' }, { level: 'everything' }]) {
      const error = catchError(() => bus.subscribe('E', () => undefined, { scope: scope as SubscriptionScope }));
      expect(error).toBeInstanceOf(BusError);
      expect((error as BusError).code).toBe('INVALID_SUBSCRIPTION_SCOPE');
    }
    expect(bus.subscriptionCount()).toBe(0);
  });
});

describe('InMemoryEventBus subscriptions', () => {
  it('returns ids of the form SUB_ + 12 uppercase hex, all different', () => {
    const bus = new InMemoryEventBus();
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = bus.subscribe('E', () => undefined);
      expect(id).toMatch(/^SUB_[0-9A-F]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
  });

  it('allows the same handler twice: two ids, two calls, and each id removes one', () => {
    const bus = new InMemoryEventBus();
    let calls = 0;
    const handler = (): void => {
      calls++;
    };
    const a = bus.subscribe('E', handler);
    const b = bus.subscribe('E', handler);
    expect(a).not.toBe(b);
    bus.publish('E', null);
    expect(calls).toBe(2);
    bus.unsubscribe(a);
    bus.publish('E', null);
    expect(calls).toBe(3);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new InMemoryEventBus();
    let calls = 0;
    const id = bus.subscribe('E', () => calls++);
    bus.unsubscribe(id);
    bus.publish('E', null);
    expect(calls).toBe(0);
  });

  it('throws UNKNOWN_SUBSCRIPTION for an id it never issued', () => {
    const bus = new InMemoryEventBus();
    const error = catchError(() => bus.unsubscribe('SUB_000000000000'));
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).code).toBe('UNKNOWN_SUBSCRIPTION');
    expect((error as BusError).message).toContain('SUB_000000000000');
  });

  it('throws UNKNOWN_SUBSCRIPTION when the same id is removed twice', () => {
    const bus = new InMemoryEventBus();
    const id = bus.subscribe('E', () => undefined);
    bus.unsubscribe(id);
    const error = catchError(() => bus.unsubscribe(id));
    expect((error as BusError).code).toBe('UNKNOWN_SUBSCRIPTION');
  });

  it('counts live subscriptions per event and in total, back to zero after removal', () => {
    const bus = new InMemoryEventBus();
    const a = bus.subscribe('A', () => undefined);
    const b1 = bus.subscribe('B', () => undefined);
    const b2 = bus.subscribe('B', () => undefined, { scope: { level: 'strategy', strategyInstanceId: 'S' } });
    expect(bus.subscriptionCount()).toBe(3);
    expect(bus.subscriptionCount('A')).toBe(1);
    expect(bus.subscriptionCount('B')).toBe(2);
    expect(bus.subscriptionCount('C')).toBe(0);
    for (const id of [a, b1, b2]) bus.unsubscribe(id);
    expect(bus.subscriptionCount()).toBe(0);
    expect(bus.subscriptionCount('B')).toBe(0);
  });

  it('refuses an empty event name or a handler that is not a function', () => {
    const bus = new InMemoryEventBus();
    expect((catchError(() => bus.subscribe('', () => undefined)) as BusError).code).toBe('INVALID_EVENT_NAME');
    expect((catchError(() => bus.subscribe('E', 'nope' as unknown as () => void)) as BusError).code).toBe('INVALID_HANDLER');
  });
});

describe('InMemoryEventBus error isolation', () => {
  it('logs a failing non-critical handler with its context and goes on delivering', () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    const boom = new Error('boom');
    const got: string[] = [];
    bus.subscribe('E', () => got.push('first'));
    const bad = bus.subscribe('E', () => {
      throw boom;
    });
    bus.subscribe('E', () => got.push('last'));

    expect(() => bus.publish('E', null, strategy('A'))).not.toThrow();
    expect(got).toEqual(['first', 'last']);
    expect(logger.records).toEqual([
      {
        level: 'error',
        msg: 'event handler failed',
        obj: { event_name: 'E', subscription_id: bad, strategy_instance_id: 'A', critical: false, err: boom },
      },
    ]);
  });

  it('logs strategy_instance_id null for a platform publish', () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    bus.subscribe('E', () => {
      throw new Error('x');
    });
    bus.publish('E', null);
    expect(logger.records[0]?.obj.strategy_instance_id).toBeNull();
  });

  it('makes publish throw CriticalEventHandlerError when a critical handler fails, skipping the rest', () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    const boom = new TypeError('ledger down');
    const got: string[] = [];
    bus.subscribe('LEDGER_STATE_CHANGED', () => got.push('before'));
    const critical = bus.subscribe(
      'LEDGER_STATE_CHANGED',
      () => {
        throw boom;
      },
      { critical: true },
    );
    bus.subscribe('LEDGER_STATE_CHANGED', () => got.push('after'));

    const error = catchError(() => bus.publish('LEDGER_STATE_CHANGED', null, strategy('A')));
    expect(error).toBeInstanceOf(CriticalEventHandlerError);
    const e = error as CriticalEventHandlerError;
    expect(e.code).toBe('CRITICAL_HANDLER_FAILED');
    expect(e.subscriptionId).toBe(critical);
    expect(e.originalError).toBe(boom);
    expect(e.cause).toBe(boom);
    expect(e.message).toContain('ledger down');
    expect(got).toEqual(['before']);
    expect(logger.records).toEqual([
      {
        level: 'fatal',
        msg: 'critical event handler failed',
        obj: { event_name: 'LEDGER_STATE_CHANGED', subscription_id: critical, strategy_instance_id: 'A', critical: true, err: boom },
      },
    ]);
  });

  it('logs a critical failure at error level when the logger has no fatal', () => {
    const records: unknown[] = [];
    const bus = new InMemoryEventBus({ logger: { error: (obj) => records.push(obj) } });
    bus.subscribe(
      'E',
      () => {
        throw new Error('x');
      },
      { critical: true },
    );
    expect(() => bus.publish('E', null)).toThrow(CriticalEventHandlerError);
    expect(records).toHaveLength(1);
  });

  it('does not fail a publish when a critical handler succeeds, and the bus stays usable after a critical failure', () => {
    const bus = new InMemoryEventBus();
    let fail = true;
    let after = 0;
    bus.subscribe(
      'E',
      () => {
        if (fail) throw new Error('once');
      },
      { critical: true },
    );
    bus.subscribe('E', () => after++);
    expect(() => bus.publish('E', null)).toThrow(CriticalEventHandlerError);
    fail = false;
    bus.publish('E', null);
    expect(after).toBe(1);
  });

  it('wraps non-Error throws from a critical handler too', () => {
    const bus = new InMemoryEventBus();
    bus.subscribe(
      'E',
      () => {
        throw 'a string';
      },
      { critical: true },
    );
    const error = catchError(() => bus.publish('E', null)) as CriticalEventHandlerError;
    expect(error.originalError).toBe('a string');
    expect(error.message).toContain('a string');
  });

  it('keeps working with the default no-op logger and with a logger that itself throws', () => {
    const quiet = new InMemoryEventBus();
    const broken = new InMemoryEventBus({
      logger: {
        error: () => {
          throw new Error('logger broken');
        },
      },
    });
    for (const bus of [quiet, broken]) {
      let after = 0;
      bus.subscribe('E', () => {
        throw new Error('handler');
      });
      bus.subscribe('E', () => after++);
      bus.publish('E', null);
      expect(after).toBe(1);
      bus.subscribe(
        'C',
        () => {
          throw new Error('critical');
        },
        { critical: true },
      );
      const error = catchError(() => bus.publish('C', null)) as CriticalEventHandlerError;
      expect(error).toBeInstanceOf(CriticalEventHandlerError);
      expect((error.originalError as Error).message).toBe('critical');
    }
  });
});
