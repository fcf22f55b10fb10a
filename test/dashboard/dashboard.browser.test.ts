import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { newTradeWire } from '../support/directives.js';
import { launchChromium, runBrowserTests } from './chromium.js';
import { type ServerUnderTest, startServerUnderTest } from './server-under-test.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');
const WAIT = { timeout: 5_000 };

/** A fresh NEW_TRADE with an id no earlier run used (the real server refuses a directive_id twice). */
function directive(overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  const now = new Date();
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
  return newTradeWire({ directive_id: `DIR_${stamp}_${randomBytes(4).toString('hex')}`, timestamp: now.toISOString(), ...overrides });
}

describe.runIf(runBrowserTests)('the dashboard in chromium', () => {
  let server: ServerUnderTest;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
    return response;
  }

  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerUnderTest();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Each read of the page (inside expect.poll too) gives up quickly, so a missing element fails the test in seconds.
    page.setDefaultTimeout(WAIT.timeout);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for the API token, asks again when the server refuses it, then shows the trading state', async () => {
    await page.goto(server.url);
    await page.getByTestId('token-form').waitFor(WAIT);
    await page.getByTestId('token-input').fill('not-the-token');
    await page.getByTestId('token-submit').click();
    await expect.poll(() => page.getByTestId('token-message').textContent(), WAIT).toContain('refused');
    await shoot('token-prompt');
    await page.getByTestId('token-input').fill(server.token);
    await page.getByTestId('token-submit').click();
    await expect.poll(() => page.getByTestId('trading-state').textContent(), WAIT).toBe('ACTIVE');
    // under the kill switch, every worker it applies to: here the one serve process
    await expect.poll(() => page.getByTestId('worker-row').count(), WAIT).toBe(1);
    expect(await page.getByTestId('workers').textContent()).toMatch(/Workers: 1 alive \(single\).*\(this one\)alive0/);
    await expect.poll(() => page.getByTestId('stream-status').getAttribute('data-status'), WAIT).toBe('live');
    // The page keeps the token for the tab's session only.
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('planexec.api_token'))).toBe(server.token);
  });

  it('shows flows appearing live as they stop, with their positions and protective orders', async () => {
    const directives = [directive(), directive({ strategy_id: 'eth_swing', entry_plan: { symbol: 'ETH_USDT', direction: 'BUY', order_type: 'MARKET' }, exit_plan: { stop_loss_price: '3300', take_profit_price: '3600' }, size_plan: { position_size: '0.5' } }), directive()];
    await api('POST', 'api/directives', { directives });
    for (const d of directives) await page.locator(`[data-testid="flow-row"][data-flow-id="${d.directive_id}"]`).waitFor(WAIT);
    await expect.poll(() => page.locator(`[data-testid="flow-row"][data-flow-id="${directives[0]?.directive_id}"] [data-testid="flow-status"]`).textContent(), WAIT).toBe('SUCCEEDED');
    await expect.poll(() => page.getByTestId('position-row').count(), WAIT).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('[data-testid="protective-orders"] [data-testid="order-row"]').count(), WAIT).toBeGreaterThanOrEqual(6);
    await shoot('flows-live');
  });

  it('shows the shortfall per execution style in the execution-quality panel', async () => {
    await expect.poll(() => page.locator('[data-testid="style-row"]').first().textContent(), WAIT).toContain('SINGLE');
    // the three market entries above: one order each, all filled
    await expect.poll(() => page.locator('[data-testid="style-row"]').first().textContent(), WAIT).toMatch(/SINGLE\s*\d+\s*\d+/);
  });

  it('opens the causality view of a flow as a tree indented by causation', async () => {
    const flowId = await page.getByTestId('flow-row').first().getAttribute('data-flow-id');
    await page.getByTestId('flow-row').first().click();
    await expect.poll(() => page.getByTestId('causality-flow').getAttribute('data-flow-id'), WAIT).toBe(flowId);
    const nodes = page.getByTestId('causality-node');
    await expect.poll(() => nodes.count(), WAIT).toBeGreaterThanOrEqual(3);
    expect(await nodes.first().getAttribute('data-kind')).toBe('directive');
    expect(await nodes.first().getAttribute('data-depth')).toBe('0');
    const depths = await nodes.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-depth'))));
    expect(Math.max(...depths)).toBeGreaterThan(0);
    await shoot('causality');
  });

  it('downloads an export with the token, under the name the server gives it', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByTestId('export-trades').click()]);
    expect(download.suggestedFilename()).toBe('planexec-trades.csv');
    await expect.poll(() => page.getByTestId('export-message').textContent(), WAIT).toContain('Saved planexec-trades.csv');
  });

  it('halts trading through the switch only after confirming, then shows a new directive DENIED', async () => {
    const reason = 'venue maintenance window';
    await page.getByTestId('state-select').selectOption('HALTED');
    await page.getByTestId('state-apply').click();
    await expect.poll(() => page.getByTestId('state-message').textContent(), WAIT).toContain('reason: required');
    expect(await page.getByTestId('confirm-halt').count()).toBe(0);
    await page.getByTestId('state-reason').fill(reason);
    await page.getByTestId('state-apply').click();
    await page.getByTestId('confirm-halt').waitFor(WAIT);
    await shoot('confirm-halt');
    await page.getByTestId('confirm-halt-button').click();
    await expect.poll(() => page.getByTestId('trading-state').textContent(), WAIT).toBe('HALTED');
    const state = (await (await api('GET', 'api/trading-state')).json()) as { state: string; reason: string };
    expect(state).toMatchObject({ state: 'HALTED', reason });

    const denied = directive();
    await api('POST', 'api/directives', denied);
    const row = page.locator(`[data-testid="failure-row"][data-flow-id="${denied.directive_id}"]`);
    await row.waitFor(WAIT);
    expect(await row.getAttribute('data-kind')).toBe('DENIED');
    expect(await row.getByTestId('failure-kind').textContent()).toBe('DENIED');
    await row.click();
    await expect.poll(() => page.getByTestId('causality-flow').getAttribute('data-flow-id'), WAIT).toBe(denied.directive_id);
    await shoot('denied');

    // The overview for the docs: a filled trade's causality, with its branches, is the open view.
    const traded = page.locator('[data-testid="flow-row"]', { hasText: 'eth_swing' }).first();
    await traded.click();
    await expect.poll(() => page.getByTestId('causality-node').count(), WAIT).toBeGreaterThan(5);
    await page.mouse.move(0, 0);
    await shoot('dashboard');
    if (process.env['PLANEXEC_UPDATE_DOCS_SCREENSHOT'] === '1') copyFileSync(join(ARTIFACTS, 'dashboard.png'), join(ROOT, 'docs', 'img', 'dashboard.png'));
    expect(pageErrors).toEqual([]);
  });
});
