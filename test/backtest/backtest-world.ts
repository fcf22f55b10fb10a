import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logging/create-logger.js';
import { PlatformConfigSchema, type PlatformConfig } from '../../src/config/schema.js';
import type { Bar } from '../../src/market-data/bar.js';
import type { DirectiveLine } from '../../src/backtest/directive-schedule.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const MINUTE = 60_000;

/** A bar from numbers, its text as the numbers print. */
export function bar(symbol: string, atMs: number, open: number, high: number, low: number, close: number, volume = 1): Bar {
  return {
    symbol,
    atMs,
    open: String(open),
    high: String(high),
    low: String(low),
    close: String(close),
    volume: String(volume),
    o: open,
    h: high,
    l: low,
    c: close,
    source: `test:${atMs}`,
  };
}

/** Bars as the reader yields them: in chunks. */
export async function* chunks(bars: readonly Bar[], size = 3): AsyncGenerator<Bar[]> {
  for (let i = 0; i < bars.length; i += size) yield bars.slice(i, i + size);
}

export async function* lines(directives: readonly object[]): AsyncGenerator<DirectiveLine> {
  let line = 0;
  for (const d of directives) {
    line += 1;
    yield { text: JSON.stringify(d), line };
  }
}

export function testConfig(overrides: Record<string, unknown> = {}): PlatformConfig {
  return PlatformConfigSchema.parse({ logging: { level: 'silent' }, connector: { paper: { slippage_bps: '0', taker_fee_rate: '0', maker_fee_rate: '0' } }, ...overrides });
}

export const silentLogger = createLogger({ level: 'silent' });

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'planexec-backtest-'));
}

export function newTrade(id: string, atMs: number, fields: { symbol?: string; direction?: 'BUY' | 'SELL'; size?: string; stop?: string; target?: string; limit?: string } = {}): object {
  return {
    directive_id: id,
    strategy_id: 'bt',
    scope: 'NEW_TRADE',
    timestamp: new Date(atMs).toISOString(),
    entry_plan: { symbol: fields.symbol ?? 'BTC_USDT', direction: fields.direction ?? 'BUY', order_type: fields.limit ? 'LIMIT' : 'MARKET', ...(fields.limit ? { limit_price: fields.limit } : {}) },
    size_plan: { position_size: fields.size ?? '0.01' },
    ...(fields.stop || fields.target ? { exit_plan: { ...(fields.stop ? { stop_loss_price: fields.stop } : {}), ...(fields.target ? { take_profit_price: fields.target } : {}) } } : {}),
    routing_plan: { time_in_force: 'GTC' },
  };
}
