import { buildDashboard } from './build-dashboard.js';
import { startFixtureServer } from './fixture/fixture-server.js';

/** What the browser test needs of a planexec server: where it listens and its API token. */
export interface ServerUnderTest {
  /** Base URL of the dashboard, ending with `/`; the API is under `api/`. */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * The one place that decides which server the dashboard's browser test drives: the test only
 * talks HTTP to it (POST /api/directives, GET /api/trading-state), so pointing it at a real
 * `planexec serve` means changing this function only.
 */
export async function startServerUnderTest(): Promise<ServerUnderTest> {
  return startFixtureServer(buildDashboard(), 'dashboard-test-token-7f3a');
}
