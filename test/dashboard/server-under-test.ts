import { buildDashboard } from './build-dashboard.js';
import { startFixtureServer } from './fixture/fixture-server.js';
import { startPlanexecServe } from './planexec-serve.js';

/** What the browser test needs of a planexec server: where it listens and its API token. */
export interface ServerUnderTest {
  /** Base URL of the dashboard, ending with `/`; the API is under `api/`. */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * The one place that decides which server the dashboard's browser test drives. The test only
 * talks HTTP to it (POST /api/directives, GET /api/trading-state), so it runs the same against the real
 * `planexec serve` (the default: the dashboard is proven against the real server) and against the
 * fixture that answers the API contract from memory (`PLANEXEC_DASHBOARD_SERVER=fixture`, for
 * working on the page without a build of the CLI).
 */
export async function startServerUnderTest(): Promise<ServerUnderTest> {
  if (process.env['PLANEXEC_DASHBOARD_SERVER'] === 'fixture') return startFixtureServer(buildDashboard(), 'dashboard-test-token-7f3a');
  return startPlanexecServe();
}
