import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { buildDashboard } from './build-dashboard.js';
import { launchChromium, runBrowserTests } from './chromium.js';
import { type FixtureServer, startFixtureServer } from './fixture/fixture-server.js';

const WAIT = { timeout: 8_000 };

/**
 * Resuming the live stream needs a server that can be made to drop it, so this runs against the
 * fixture only: the stream cut (EventSource resumes by itself with Last-Event-ID) and the stream
 * refused (the dashboard checks the token and reopens it with ?last_event_id=).
 */
describe.runIf(runBrowserTests)('the dashboard catching up on the live stream', () => {
  let server: FixtureServer;
  let browser: Browser;
  let page: Page;

  async function submit(): Promise<string> {
    const directiveId = `DIR_20261202_120000_${randomBytes(4).toString('hex')}`;
    const response = await fetch(new URL('api/directives', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(newTradeWire({ directive_id: directiveId, timestamp: new Date().toISOString() })),
    });
    expect(response.status).toBe(202);
    return directiveId;
  }

  const streamRequests = () => server.requests.filter((r) => r.path === '/api/events');
  const live = () => page.locator('[data-testid="stream-status"][data-status="live"]').waitFor(WAIT);

  beforeAll(async () => {
    server = await startFixtureServer(buildDashboard(), 'resume-test-token');
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    await page.goto(server.url);
    await page.getByTestId('token-input').fill(server.token);
    await page.getByTestId('token-submit').click();
    await live();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a flow that stopped while the stream was cut, once the browser reconnects', async () => {
    const first = await submit();
    await page.locator(`[data-testid="flow-row"][data-flow-id="${first}"]`).waitFor(WAIT);
    const seen = server.lastEventId();
    const before = streamRequests().length;
    server.cutStreams();
    const directiveId = await submit();
    await page.locator(`[data-testid="flow-row"][data-flow-id="${directiveId}"]`).waitFor(WAIT);
    const [resumed] = streamRequests().slice(before);
    expect(resumed?.lastEventIdHeader).toBe(String(seen));
  });

  it('reopens a refused stream from the last event it saw, after checking the token', async () => {
    await live();
    const seen = server.lastEventId();
    const before = streamRequests().length;
    server.refuseStreams(1);
    server.cutStreams();
    const directiveId = await submit();
    await page.locator(`[data-testid="flow-row"][data-flow-id="${directiveId}"]`).waitFor(WAIT);
    const [refused, reopened] = streamRequests().slice(before);
    expect(refused?.authorized).toBe(false);
    expect(reopened?.authorized).toBe(true);
    expect(reopened?.query.get('last_event_id')).toBe(String(seen));
    expect(reopened?.query.get('access_token')).toBe(server.token);
    await live();
  });

  it('reads every panel again on a reset, when the server no longer holds the events it missed', async () => {
    await live();
    // Flows and the trading state are read only at start and on a reset (positions and orders also on a timer).
    const reads = () => server.requests.filter((r) => r.method === 'GET' && ['/api/flows', '/api/trading-state'].includes(r.path)).length;
    const before = reads();
    server.sendReset();
    await expect.poll(() => reads() - before, WAIT).toBeGreaterThanOrEqual(4);
  });
});
