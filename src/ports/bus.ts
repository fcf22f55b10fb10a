/**
 * IEventBus (reference/upstream-domain-model.md §4): exact-name routing, platform and strategy
 * scopes, synchronous delivery in subscription order, critical vs non-critical handlers.
 */

/** Where a publish goes. Strategy events need the strategy instance they belong to. */
export type PublishScope = { readonly level: 'platform' } | { readonly level: 'strategy'; readonly strategyInstanceId: string };

/**
 * What a subscriber hears. Platform events reach everyone; a strategy event reaches strategy
 * subscribers of that same strategy and platform subscribers that are unrestricted
 * (`targetStrategyIds` null/absent) or list that strategy.
 */
export type SubscriptionScope =
  | { readonly level: 'platform'; readonly targetStrategyIds?: ReadonlySet<string> | null }
  | { readonly level: 'strategy'; readonly strategyInstanceId: string | null };

export interface SubscribeOptions {
  /** Default: platform, unrestricted. */
  readonly scope?: SubscriptionScope;
  /** A failing critical handler makes publish throw CriticalEventHandlerError and stops that delivery. */
  readonly critical?: boolean;
}

export type EventHandler<P> = (payload: P) => void;

/** A map of event name → payload type; the bus is typed by it. */
export type EventMap = Record<string, unknown>;

export interface IEventBus<M extends EventMap = EventMap> {
  /** Deliver synchronously to matching subscribers, in subscription order. Default scope: platform. */
  publish<K extends keyof M & string>(eventName: K, payload: M[K], scope?: PublishScope): void;
  /** Returns a subscription id `SUB_` + 12 uppercase hex. */
  subscribe<K extends keyof M & string>(eventName: K, handler: EventHandler<M[K]>, options?: SubscribeOptions): string;
  /** Throws for an unknown (or already removed) id. */
  unsubscribe(subscriptionId: string): void;
}
