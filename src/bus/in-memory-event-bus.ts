import { randomBytes } from 'node:crypto';
import { BusError, CriticalEventHandlerError } from '../domain/errors.js';
import type { EventHandler, EventMap, IEventBus, PublishScope, SubscribeOptions, SubscriptionScope } from '../ports/bus.js';

/** What the bus logs with; a pino logger fits. */
export interface BusLogger {
  error(obj: object, msg: string): void;
  fatal?(obj: object, msg: string): void;
}

export interface InMemoryEventBusOptions {
  /** Where failing handlers are reported. Default: a logger that drops everything. */
  readonly logger?: BusLogger;
}

const noopLogger: BusLogger = { error: () => undefined };

const PLATFORM_SCOPE: PublishScope = { level: 'platform' };

// Routing kinds, compiled once at subscribe time so publish does one compare per subscription.
const PLATFORM_ALL = 0;
const PLATFORM_TARGETS = 1;
const STRATEGY = 2;

interface Subscription {
  readonly id: string;
  readonly eventName: string;
  readonly handler: EventHandler<unknown>;
  readonly critical: boolean;
  readonly kind: typeof PLATFORM_ALL | typeof PLATFORM_TARGETS | typeof STRATEGY;
  /** For PLATFORM_TARGETS. */
  readonly targets: ReadonlySet<string> | null;
  /** For STRATEGY; null hears platform events only. */
  readonly strategyInstanceId: string | null;
}

/**
 * The in-process IEventBus (reference/upstream-domain-model.md §4.1–4.2, docs/bus.md).
 *
 * Delivery is synchronous, in subscription order, over a snapshot of the event's subscriptions
 * taken when publish starts. The per-event arrays are copy-on-write, so that snapshot is just the
 * array reference: (un)subscribing during a publish never changes the delivery in flight — a
 * handler unsubscribed mid-publish still receives that one event (as upstream and Node's
 * EventEmitter do).
 *
 * A throwing handler is logged and skipped; a throwing critical handler stops the publish with
 * CriticalEventHandlerError. Critical semantics apply to synchronous throws only: a handler that
 * returns a rejected promise is logged like a non-critical failure, never left unhandled.
 */
export class InMemoryEventBus<M extends EventMap = EventMap> implements IEventBus<M> {
  readonly #byEvent = new Map<string, readonly Subscription[]>();
  readonly #byId = new Map<string, Subscription>();
  readonly #logger: BusLogger;

  constructor(options: InMemoryEventBusOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
  }

  publish<K extends keyof M & string>(eventName: K, payload: M[K], scope: PublishScope = PLATFORM_SCOPE): void {
    let strategyId: string | null;
    if (scope.level === 'platform') {
      strategyId = null;
    } else if (scope.level === 'strategy') {
      strategyId = scope.strategyInstanceId;
      if (typeof strategyId !== 'string' || strategyId.length === 0) {
        throw new BusError(`publish of ${eventName} at strategy scope needs a non-empty strategyInstanceId`, 'STRATEGY_SCOPE_REQUIRES_ID', {
          event_name: eventName,
        });
      }
    } else {
      throw new BusError(`publish of ${eventName}: unknown scope level`, 'INVALID_PUBLISH_SCOPE', { event_name: eventName, scope });
    }

    const snapshot = this.#byEvent.get(eventName);
    if (snapshot === undefined) return;

    for (let i = 0; i < snapshot.length; i++) {
      const sub = snapshot[i] as Subscription;
      if (strategyId !== null && !matchesStrategy(sub, strategyId)) continue;
      const handler = sub.handler; // called unbound: the handler must not see our record as `this`
      let result: unknown;
      try {
        result = handler(payload);
      } catch (error) {
        if (sub.critical) {
          this.#log('fatal', sub, strategyId, error, 'critical event handler failed');
          throw new CriticalEventHandlerError(sub.id, eventName, error);
        }
        this.#log('error', sub, strategyId, error, 'event handler failed');
        continue;
      }
      if (result !== undefined && result !== null && typeof (result as { then?: unknown }).then === 'function') {
        // Async work belongs to a runner (DESIGN §1b); the bus only makes sure it cannot leak a rejection.
        Promise.resolve(result).catch((error: unknown) => {
          this.#log('error', sub, strategyId, error, 'async event handler rejected');
        });
      }
    }
  }

  subscribe<K extends keyof M & string>(eventName: K, handler: EventHandler<M[K]>, options: SubscribeOptions = {}): string {
    if (typeof eventName !== 'string' || eventName.length === 0) {
      throw new BusError('subscribe needs a non-empty event name', 'INVALID_EVENT_NAME', { event_name: eventName });
    }
    if (typeof handler !== 'function') {
      throw new BusError(`subscribe to ${eventName} needs a handler function`, 'INVALID_HANDLER', { event_name: eventName });
    }
    const sub: Subscription = {
      id: this.#newId(),
      eventName,
      handler: handler as EventHandler<unknown>,
      critical: options.critical === true,
      ...compileScope(eventName, options.scope),
    };
    const current = this.#byEvent.get(eventName);
    this.#byEvent.set(eventName, current === undefined ? [sub] : [...current, sub]);
    this.#byId.set(sub.id, sub);
    return sub.id;
  }

  unsubscribe(subscriptionId: string): void {
    const sub = this.#byId.get(subscriptionId);
    if (sub === undefined) {
      throw new BusError(`unknown subscription ${String(subscriptionId)}`, 'UNKNOWN_SUBSCRIPTION', { subscription_id: subscriptionId });
    }
    this.#byId.delete(subscriptionId);
    const remaining = (this.#byEvent.get(sub.eventName) ?? []).filter((s) => s !== sub);
    if (remaining.length === 0) this.#byEvent.delete(sub.eventName);
    else this.#byEvent.set(sub.eventName, remaining);
  }

  /** Live subscriptions, for one event or all of them (leak checks). */
  subscriptionCount(eventName?: string): number {
    if (eventName === undefined) return this.#byId.size;
    return this.#byEvent.get(eventName)?.length ?? 0;
  }

  #newId(): string {
    for (;;) {
      const id = `SUB_${randomBytes(6).toString('hex').toUpperCase()}`;
      if (!this.#byId.has(id)) return id;
    }
  }

  #log(level: 'error' | 'fatal', sub: Subscription, strategyId: string | null, error: unknown, msg: string): void {
    const fields = {
      event_name: sub.eventName,
      subscription_id: sub.id,
      strategy_instance_id: strategyId,
      critical: sub.critical,
      err: error,
    };
    // A broken logger must neither mask the handler's error nor escape as an unhandled rejection.
    try {
      if (level === 'fatal' && this.#logger.fatal !== undefined) this.#logger.fatal(fields, msg);
      else this.#logger.error(fields, msg);
    } catch {
      // nothing better to do with a logger that throws
    }
  }
}

function matchesStrategy(sub: Subscription, strategyId: string): boolean {
  switch (sub.kind) {
    case PLATFORM_ALL:
      return true;
    case PLATFORM_TARGETS:
      return (sub.targets as ReadonlySet<string>).has(strategyId);
    case STRATEGY:
      return sub.strategyInstanceId === strategyId;
  }
}

function compileScope(
  eventName: string,
  scope: SubscriptionScope | undefined,
): Pick<Subscription, 'kind' | 'targets' | 'strategyInstanceId'> {
  if (scope === undefined) return { kind: PLATFORM_ALL, targets: null, strategyInstanceId: null };
  if (scope.level === 'platform') {
    const targets = scope.targetStrategyIds;
    if (targets === undefined || targets === null) return { kind: PLATFORM_ALL, targets: null, strategyInstanceId: null };
    // Copied: routing is fixed at subscribe time, whatever the caller later does to its set.
    return { kind: PLATFORM_TARGETS, targets: new Set(targets), strategyInstanceId: null };
  }
  if (scope.level === 'strategy') {
    const id = scope.strategyInstanceId;
    if (id === null || (typeof id === 'string' && id.length > 0)) return { kind: STRATEGY, targets: null, strategyInstanceId: id };
  }
  throw new BusError(`subscribe to ${eventName}: invalid subscription scope`, 'INVALID_SUBSCRIPTION_SCOPE', { event_name: eventName, scope });
}
