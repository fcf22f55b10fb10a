import type { Logger } from 'pino';
import type { DirectiveStream } from '../app/create-bus.js';
import type { Platform } from '../app/create-platform.js';
import type { PlatformConfig } from '../config/schema.js';
import type { EventHub } from './event-hub.js';
import type { HttpIntake } from './http-intake.js';
import type { Readiness } from './readiness.js';

/** What every route group is given: the running platform and the server's own parts. */
export interface ServerContext {
  readonly platform: Platform;
  readonly server: PlatformConfig['server'];
  /** The API token (null: none configured); only the auth hook reads it. */
  readonly token: string | null;
  /** Who changes made with the token are recorded as (server.auth_token_label). */
  readonly tokenLabel: string;
  readonly intake: HttpIntake;
  readonly events: EventHub;
  readonly readiness: Readiness;
  /** This worker's JetStream intake (bus.type nats); null otherwise. */
  readonly directiveStream: DirectiveStream | null;
  readonly logger: Logger;
  readonly version: string;
  /** True once shutdown began: no new directives (503 draining). */
  draining(): boolean;
}
