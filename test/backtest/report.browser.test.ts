import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureCliIo } from '../support/capture-cli-io.js';
import { launchChromium, runBrowserTests } from '../dashboard/chromium.js';

const EXAMPLES = join(__dirname, '..', '..', 'examples', 'backtest');

/** The report a real backtest wrote, opened from disk in Debian's Chromium with the network cut off. */
describe.runIf(runBrowserTests)('the backtest report in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-report-browser-'));
  let browser: Browser;

  beforeAll(async () => {
    const c = captureCliIo();
    await runCli(
      ['--log-level', 'silent', 'backtest', '--prices', join(EXAMPLES, 'btc-usdt-5m.csv'), '--prices', join(EXAMPLES, 'eth-usdt-5m.csv'), '--directives', join(EXAMPLES, 'directives.jsonl'), '--out', dir],
      c.io,
    );
    expect(c.stderr).toBe('');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every chart, the trades and the failures, with no request leaving the file and no console error', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);

    const charts = await page.$$eval('figure[data-chart] svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const line = svg.querySelector('path.line');
        return {
          chart: svg.closest('figure')!.getAttribute('data-chart'),
          width: box.width,
          height: box.height,
          segments: (line?.getAttribute('d') ?? '').split('L').length,
          lineLength: line ? (line as unknown as { getTotalLength(): number }).getTotalLength() : 0,
          markers: [...svg.querySelectorAll('path.marker')].map((m) => m.querySelector('title')?.textContent ?? ''),
        };
      }),
    );
    expect(charts.map((c) => c.chart)).toEqual(['equity', 'drawdown', 'price-BTC_USDT', 'price-ETH_USDT']);
    for (const c of charts) {
      expect(c.width, c.chart!).toBeGreaterThan(300);
      expect(c.height, c.chart!).toBeGreaterThan(100);
      expect(c.segments, c.chart!).toBeGreaterThan(50);
      expect(c.lineLength, c.chart!).toBeGreaterThan(500);
    }
    const btc = charts.find((c) => c.chart === 'price-BTC_USDT')!;
    // three BTC trades entered, each closed: an entry and an exit marker each
    expect(btc.markers).toHaveLength(6);
    expect(btc.markers.some((t) => /DIR_20240101_060000_bt000001: SELL 0\.05 at 41170\.29/.test(t))).toBe(true);

    expect(await page.locator('#trades tbody tr').count()).toBe(5);
    expect(await page.locator('#failures tbody tr').count()).toBe(1);
    await expect(page.locator('#failures tbody tr').first().textContent()).resolves.toContain('TRADE_ALREADY_CLOSED');
    // a click on a header sorts its table
    await page.locator('#trades th', { hasText: 'realized P&L' }).click();
    const pnl = await page.$$eval('#trades tbody tr td:nth-child(11)', (cells) => cells.map((c) => Number(c.textContent)));
    expect(pnl).toEqual([...pnl].sort((a, b) => a - b));

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
