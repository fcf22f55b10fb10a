import type { ApiRouter } from '../api-router.js';
import type { ServerContext } from '../server-context.js';
import { directiveRoutes } from './directives.js';
import { eventRoutes } from './events.js';
import { flowRoutes } from './flows.js';
import { journalRoutes } from './journal.js';
import { ledgerRoutes } from './ledger.js';
import { openApiRoutes } from './openapi.js';
import { operationRoutes } from './operations.js';
import { readModelRoutes } from './read-models.js';
import { tradingStateRoutes } from './trading-state.js';
import { verifyRoutes } from './verify.js';
import { workerRoutes } from './workers.js';

/** A group of routes: registers its operations on the router. */
export type RouteGroup = (api: ApiRouter, ctx: ServerContext) => void;

/**
 * Every route group of the server, in registration order. A new group is a file exporting a
 * RouteGroup and one line here (or one entry of buildServer's `routes` option).
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [operationRoutes, directiveRoutes, flowRoutes, ledgerRoutes, journalRoutes, verifyRoutes, tradingStateRoutes, workerRoutes, readModelRoutes, eventRoutes, openApiRoutes];
