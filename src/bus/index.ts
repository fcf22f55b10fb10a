export { InMemoryEventBus } from './in-memory-event-bus.js';
export type { BusLogger, InMemoryEventBusOptions } from './in-memory-event-bus.js';
