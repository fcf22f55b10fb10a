import type { Logger } from 'pino';
import { InMemoryEventBus } from '../bus/in-memory-event-bus.js';
import { notInThisBuildIssue } from '../config/build-support.js';
import type { PlatformConfig } from '../config/schema.js';
import { ConfigError } from '../domain/errors.js';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';

/**
 * The event bus `bus.type` names: the in-process bus ('memory'). NATS ('nats') is planned and
 * refused with the same ConfigError the config loader and createPlatform give (rule
 * `not_in_this_build`), named in `configFile`.
 */
export function createBus(bus: PlatformConfig['bus'], logger: Logger, configFile?: string | null): IEventBus<PlanexecEvents> {
  switch (bus.type) {
    case 'memory':
      return new InMemoryEventBus<PlanexecEvents>({ logger });
    case 'nats':
      throw new ConfigError([notInThisBuildIssue({ path: ['bus', 'type'], value: bus.type }, configFile)]);
  }
}
