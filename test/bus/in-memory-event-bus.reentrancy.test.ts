import { describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import { CriticalEventHandlerError } from '../../src/domain/errors.js';
import { RecordingLogger } from './recording-logger.js';

describe('InMemoryEventBus snapshot semantics', () => {
  it('does not deliver the in-flight event to a subscriber added during that publish', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('E', (p) => {
      got.push(`first:${String(p)}`);
      bus.subscribe('E', (q) => got.push(`late:${String(q)}`));
    });
    bus.publish('E', 1);
    expect(got).toEqual(['first:1']);
    bus.publish('E', 2);
    // the first handler added another subscriber during publish 1 and another one during publish 2
    expect(got).toEqual(['first:1', 'first:2', 'late:2']);
    expect(bus.subscriptionCount('E')).toBe(3);
  });

  it('still delivers the in-flight event to a later subscriber unsubscribed during that publish, not the next one', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    let victim = '';
    bus.subscribe('E', (p) => {
      got.push(`killer:${String(p)}`);
      if (p === 1) bus.unsubscribe(victim);
    });
    victim = bus.subscribe('E', (p) => got.push(`victim:${String(p)}`));
    bus.publish('E', 1);
    bus.publish('E', 2);
    expect(got).toEqual(['killer:1', 'victim:1', 'killer:2']);
  });

  it('lets a handler unsubscribe itself: it finishes this event and hears no more', () => {
    const bus = new InMemoryEventBus();
    const got: number[] = [];
    const id: string = bus.subscribe('E', (p) => {
      got.push(p as number);
      bus.unsubscribe(id);
    });
    let others = 0;
    bus.subscribe('E', () => others++);
    bus.publish('E', 1);
    bus.publish('E', 2);
    expect(got).toEqual([1]);
    expect(others).toBe(2);
    expect(bus.subscriptionCount()).toBe(1);
  });

  it('keeps the in-flight snapshot when every subscription is removed mid-publish', () => {
    const bus = new InMemoryEventBus();
    const got: number[] = [];
    const ids: string[] = [];
    ids.push(
      bus.subscribe('E', () => {
        got.push(0);
        for (const id of ids) bus.unsubscribe(id);
      }),
    );
    ids.push(bus.subscribe('E', () => got.push(1)));
    ids.push(bus.subscribe('E', () => got.push(2)));
    bus.publish('E', null);
    expect(got).toEqual([0, 1, 2]);
    expect(bus.subscriptionCount('E')).toBe(0);
    bus.publish('E', null);
    expect(got).toEqual([0, 1, 2]);
  });
});

describe('InMemoryEventBus re-entrancy', () => {
  it('delivers a nested publish fully before the outer delivery continues', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('OUTER', () => {
      got.push('outer-1:start');
      bus.publish('INNER', null);
      got.push('outer-1:end');
    });
    bus.subscribe('OUTER', () => got.push('outer-2'));
    bus.subscribe('INNER', () => got.push('inner-1'));
    bus.subscribe('INNER', () => got.push('inner-2'));
    bus.publish('OUTER', null);
    expect(got).toEqual(['outer-1:start', 'inner-1', 'inner-2', 'outer-1:end', 'outer-2']);
  });

  it('supports a handler republishing the same event (bounded recursion), depth first', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('E', (n) => {
      got.push(`a${String(n)}`);
      if ((n as number) < 3) bus.publish('E', (n as number) + 1);
    });
    bus.subscribe('E', (n) => got.push(`b${String(n)}`));
    bus.publish('E', 1);
    expect(got).toEqual(['a1', 'a2', 'a3', 'b3', 'b2', 'b1']);
  });

  it('gives a nested publish its own scope filtering', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('OUTER', () => bus.publish('INNER', null, { level: 'strategy', strategyInstanceId: 'B' }));
    bus.subscribe('INNER', () => got.push('A'), { scope: { level: 'strategy', strategyInstanceId: 'A' } });
    bus.subscribe('INNER', () => got.push('B'), { scope: { level: 'strategy', strategyInstanceId: 'B' } });
    bus.publish('OUTER', null);
    expect(got).toEqual(['B']);
  });

  it('a subscriber added by a nested publish misses the outer event but hears the next one', () => {
    const bus = new InMemoryEventBus();
    const got: string[] = [];
    bus.subscribe('OUTER', () => bus.publish('INNER', null));
    bus.subscribe('INNER', () => {
      if (bus.subscriptionCount('OUTER') === 1) bus.subscribe('OUTER', () => got.push('added'));
    });
    bus.publish('OUTER', null);
    expect(got).toEqual([]);
    bus.publish('OUTER', null);
    expect(got).toEqual(['added']);
  });

  it('lets a nested critical failure be handled like any throw of the outer handler', () => {
    const logger = new RecordingLogger();
    const bus = new InMemoryEventBus({ logger });
    const got: string[] = [];
    bus.subscribe(
      'INNER',
      () => {
        throw new Error('inner critical');
      },
      { critical: true },
    );
    bus.subscribe('OUTER', () => bus.publish('INNER', null)); // non-critical: logged, delivery goes on
    bus.subscribe('OUTER', () => got.push('outer-2'));
    expect(() => bus.publish('OUTER', null)).not.toThrow();
    expect(got).toEqual(['outer-2']);
    expect(logger.records.map((r) => r.level)).toEqual(['fatal', 'error']);
    expect(logger.records[1]?.obj.err).toBeInstanceOf(CriticalEventHandlerError);

    bus.subscribe('CRIT_OUTER', () => bus.publish('INNER', null), { critical: true }); // critical: propagates
    const thrown = (() => {
      try {
        bus.publish('CRIT_OUTER', null);
      } catch (error) {
        return error as CriticalEventHandlerError;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(CriticalEventHandlerError);
    expect(thrown?.originalError).toBeInstanceOf(CriticalEventHandlerError);
  });
});
