import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PublishScope, SubscriptionScope } from '../../src/ports/bus.js';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';

const EVENTS = ['E1', 'E2', 'E3'] as const;
const STRATEGIES = ['A', 'B', 'C'] as const;

const subscriptionScope: fc.Arbitrary<SubscriptionScope | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ level: 'platform', targetStrategyIds: null } as const),
  fc.uniqueArray(fc.constantFrom(...STRATEGIES), { maxLength: 3 }).map((ids) => ({ level: 'platform', targetStrategyIds: new Set(ids) }) as const),
  fc.option(fc.constantFrom(...STRATEGIES), { nil: null }).map((id) => ({ level: 'strategy', strategyInstanceId: id }) as const),
);

const publishScope: fc.Arbitrary<PublishScope | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ level: 'platform' } as const),
  fc.constantFrom(...STRATEGIES).map((id) => ({ level: 'strategy', strategyInstanceId: id }) as const),
);

type Op =
  | { readonly kind: 'subscribe'; readonly event: string; readonly scope: SubscriptionScope | undefined }
  | { readonly kind: 'unsubscribe'; readonly pick: number }
  | { readonly kind: 'publish'; readonly event: string; readonly scope: PublishScope | undefined };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), event: fc.constantFrom(...EVENTS), scope: subscriptionScope }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('publish' as const), event: fc.constantFrom(...EVENTS), scope: publishScope }) },
);

/** The routing table of reference §4.2, written as plainly as possible. */
function modelReceives(sub: SubscriptionScope | undefined, pub: PublishScope | undefined): boolean {
  if (pub === undefined || pub.level === 'platform') return true;
  if (sub === undefined) return true;
  if (sub.level === 'strategy') return sub.strategyInstanceId === pub.strategyInstanceId;
  return sub.targetStrategyIds == null || sub.targetStrategyIds.has(pub.strategyInstanceId);
}

interface ModelSub {
  readonly label: number;
  readonly id: string;
  readonly event: string;
  readonly scope: SubscriptionScope | undefined;
}

describe('InMemoryEventBus routing property', () => {
  it('calls exactly the handlers the reference routing table selects, in subscription order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const bus = new InMemoryEventBus();
        const live: ModelSub[] = [];
        let calls: number[] = [];
        let next = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'subscribe': {
              const label = next++;
              const id = bus.subscribe(o.event, () => calls.push(label), o.scope === undefined ? undefined : { scope: o.scope });
              live.push({ label, id, event: o.event, scope: o.scope });
              break;
            }
            case 'unsubscribe': {
              if (live.length === 0) break;
              const [removed] = live.splice(o.pick % live.length, 1);
              bus.unsubscribe((removed as ModelSub).id);
              break;
            }
            case 'publish': {
              calls = [];
              bus.publish(o.event, null, o.scope);
              const expected = live.filter((s) => s.event === o.event && modelReceives(s.scope, o.scope)).map((s) => s.label);
              expect(calls).toEqual(expected);
              break;
            }
          }
          expect(bus.subscriptionCount()).toBe(live.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
