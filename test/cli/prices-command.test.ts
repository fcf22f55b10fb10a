import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { Bar } from '../../src/market-data/bar.js';
import { readBarFile } from '../../src/market-data/bar-file.js';
import { openPublicExchange } from '../../src/market-data/ccxt-public.js';
import { downloadOhlcv } from '../../src/market-data/ohlcv-download.js';
import { type CapturedCliIo, captureCliIo } from '../support/capture-cli-io.js';
import { startLoopbackVenue, type LoopbackVenue } from '../support/loopback-venue/index.js';

/** `planexec prices download` in process, against the loopback Binance venue's klines. */

const dir = mkdtempSync(join(tmpdir(), 'planexec-prices-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let venue: LoopbackVenue;
beforeEach(async () => {
  venue = await startLoopbackVenue();
});
afterEach(async () => {
  await venue.close();
});

let outCount = 0;
const outFile = (): string => join(dir, `out${++outCount}`, 'btc-usdt-1m.csv');

async function cli(args: readonly string[]): Promise<CapturedCliIo> {
  const c = captureCliIo();
  await runCli(['--log-level', 'silent', 'prices', 'download', ...args], c.io);
  return c;
}

const download = (out: string, since: string, until: string, ...more: string[]) =>
  cli(['--exchange', 'binance', '--api-base-url', venue.url, '--symbol', 'BTC/USDT', '--timeframe', '1m', '--since', since, '--until', until, '--out', out, ...more]);

async function readAll(path: string): Promise<Bar[]> {
  const bars: Bar[] = [];
  for await (const chunk of readBarFile(path, { symbol: 'BTC_USDT' })) bars.push(...chunk);
  return bars;
}

const klineRequests = async () => (await venue.client.requests('GET /api/v3/klines')).map((r) => r.params);

describe('planexec prices download', () => {
  it('downloads bars across several pages of 1000 into a bar CSV, --until exclusive, with a JSON summary', async () => {
    const out = outFile();
    const c = await download(out, '2024-01-01T00:00:00Z', '2024-01-03T12:00:00Z', '--json');
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual({
      file: out,
      exchange: 'binance',
      symbol: 'BTC_USDT',
      timeframe: '1m',
      bars_written: 3600,
      first: '2024-01-01T00:00:00Z',
      last: '2024-01-03T11:59:00Z',
      resumed_from: null,
      interrupted: false,
    });
    const bars = await readAll(out);
    expect(bars).toHaveLength(3600);
    expect(bars.every((b, i) => b.atMs === Date.UTC(2024, 0, 1) + i * 60_000)).toBe(true);
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual(['timestamp,symbol,open,high,low,close,volume', expect.stringMatching(/^2024-01-01T00:00:00Z,BTC_USDT,65000,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$/)]);
    const pages = await klineRequests();
    expect(pages.map((p) => [p['startTime'], p['limit']])).toEqual([
      [String(Date.UTC(2024, 0, 1)), '1000'],
      [String(Date.UTC(2024, 0, 1) + 1000 * 60_000), '1000'],
      [String(Date.UTC(2024, 0, 1) + 2000 * 60_000), '1000'],
      [String(Date.UTC(2024, 0, 1) + 3000 * 60_000), '1000'],
    ]);
  });

  it('continues an earlier download after its last bar (said on stderr), ending byte-identical to one download', async () => {
    const whole = outFile();
    await download(whole, '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z');
    const parts = outFile();
    const first = await download(parts, '2024-01-01T00:00:00Z', '1704110400000');
    expect(first.stdout).toBe(`wrote 720 BTC_USDT 1m bars from binance to ${parts}: 2024-01-01T00:00:00Z to 2024-01-01T11:59:00Z\n`);
    const second = await download(parts, '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '--json');
    expect(second.stderr).toBe(`planexec prices: ${parts} has BTC_USDT bars up to 2024-01-01T11:59:00Z; continuing from 2024-01-01T12:00:00Z\n`);
    expect(JSON.parse(second.stdout)).toMatchObject({ bars_written: 720, first: '2024-01-01T12:00:00Z', resumed_from: '2024-01-01T12:00:00Z' });
    expect(readFileSync(parts, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    const again = await download(parts, '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z');
    expect(again.stdout).toBe(`no new BTC_USDT 1m bars from binance for ${parts}\n`);
    expect(readFileSync(parts, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  });

  it('leaves a whole, continuable file when interrupted after a page', async () => {
    const whole = outFile();
    await download(whole, '2024-01-01T00:00:00Z', '2024-01-02T12:00:00Z');
    const out = outFile();
    await download(out, '2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z');
    rmSync(out);
    const exchange = openPublicExchange('binance', venue.url);
    await exchange.loadMarkets();
    const controller = new AbortController();
    const result = await downloadOhlcv({
      exchange,
      ccxtSymbol: 'BTC/USDT',
      symbol: 'BTC_USDT',
      timeframe: '1m',
      timeframeMs: 60_000,
      sinceMs: Date.UTC(2024, 0, 1),
      untilMs: Date.UTC(2024, 0, 2, 12),
      pageLimit: 1000,
      out,
      append: false,
      signal: controller.signal,
      onPage: () => controller.abort(),
    });
    expect(result).toEqual({ bars: 1000, firstMs: Date.UTC(2024, 0, 1), lastMs: Date.UTC(2024, 0, 1) + 999 * 60_000, interrupted: true });
    expect(await readAll(out)).toHaveLength(1000);
    const resumed = await download(out, '2024-01-01T00:00:00Z', '2024-01-02T12:00:00Z');
    expect(resumed.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  });

  it('starts again over a file holding only the header of a download that wrote no bar', async () => {
    const out = outFile();
    await download(out, '2024-01-01T00:00:00Z', '2024-01-01T00:03:00Z');
    writeFileSync(out, 'timestamp,symbol,open,high,low,close,volume\n');
    const c = await download(out, '2024-01-01T00:00:00Z', '2024-01-01T00:03:00Z');
    expect(c.stderr).toBe('');
    expect(await readAll(out)).toHaveLength(3);
  });

  describe('refuses, with exit 2 and the flag named', () => {
    const refused = async (c: CapturedCliIo, message: string) => {
      expect(c.stderr).toBe(`planexec: ${message}\n`);
      expect(c.code).toBe(2);
    };
    const base = (out: string) => ['--api-base-url', venue.url, '--since', '2024-01-01', '--until', '2024-01-02', '--out', out];

    it('an exchange ccxt does not know', async () => {
      await refused(await cli(['--exchange', 'nosuchex', '--symbol', 'BTC/USDT', '--timeframe', '1m', ...base(outFile())]), '--exchange: "nosuchex" is not a ccxt exchange id (e.g. binance, kraken, okx)');
    });

    it('an exchange without OHLCV bars', async () => {
      await refused(await cli(['--exchange', 'paymium', '--symbol', 'BTC/EUR', '--timeframe', '1m', ...base(outFile())]), '--exchange: paymium offers no OHLCV bars through ccxt (no fetchOHLCV)');
    });

    it('a timeframe the exchange does not have, listing the valid ones', async () => {
      await refused(
        await cli(['--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '7m', ...base(outFile())]),
        '--timeframe: "7m" is not a timeframe of binance; valid: 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w, 1M',
      );
    });

    it('a symbol that is not one of its markets', async () => {
      await refused(await cli(['--exchange', 'binance', '--symbol', 'DOGE/USDT', '--timeframe', '1m', ...base(outFile())]), '--symbol: "DOGE/USDT" is not a market of binance (ccxt symbol DOGE/USDT)');
    });

    it('--since not before --until, and a time that is not a time', async () => {
      const out = outFile();
      await refused(await download(out, '2024-01-02', '2024-01-01'), '--since (2024-01-02T00:00:00Z) must be before --until (2024-01-01T00:00:00Z)');
      await refused(await download(out, 'yesterday', '2024-01-01'), '--since must be an ISO-8601 time or epoch milliseconds, got "yesterday"');
      expect(existsSync(out)).toBe(false);
    });

    it('an --out that is another file, or a download of another symbol', async () => {
      const other = outFile();
      await download(other, '2024-01-01T00:00:00Z', '2024-01-01T00:02:00Z');
      const c = await cli(['--exchange', 'binance', '--api-base-url', venue.url, '--symbol', 'ETH_USDT', '--timeframe', '1m', '--since', '2024-01-01', '--until', '2024-01-02', '--out', other]);
      await refused(
        c,
        `--out: ${other} exists but is not a bar file of ETH_USDT to continue: price file ${other}, line 2, column 2 (symbol): "BTC_USDT" is not the symbol this file was opened for, ETH_USDT; move it away or choose another --out`,
      );
      const notes = join(dir, 'notes.csv');
      writeFileSync(notes, 'hello\n');
      await refused(await download(notes, '2024-01-01', '2024-01-02'), `--out: ${notes} exists but does not start with the header timestamp,symbol,open,high,low,close,volume, so it is not a download to continue; move it away or choose another --out`);
      expect(readFileSync(notes, 'utf8')).toBe('hello\n');
    });
  });
});
