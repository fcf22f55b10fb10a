export type { EventHandler, EventMap, IEventBus, PublishScope, SubscribeOptions, SubscriptionScope } from './event-bus.js';
export type { PlanexecEvents } from './events.js';
export { InMemoryEventBus } from './in-memory-event-bus.js';
export type { BusLogger, InMemoryEventBusOptions } from './in-memory-event-bus.js';
