import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { withStyle } from '../../src/backtest/style-override.js';
import { styleRows } from '../../src/backtest/style-stats.js';
import type { ExecutionStyle } from '../../src/domain/directive.js';
import { bar, chunks, lines, MINUTE, newTrade, silentLogger, T0, testConfig } from './backtest-world.js';

const BTC = { tick_size: '0.01', lot_size: '0.001', min_quantity: '0.001', min_notional: '1', reference_price: '100' };
const at = (minutes: number) => T0 + minutes * MINUTE;
const flat = (minute: number, price: number) => bar('BTC_USDT', at(minute), price, price, price, price);
/** One-minute bars whose price climbs 1 a minute: a patient BUY pays more the later it fills. */
const rising = Array.from({ length: 12 }, (_, m) => flat(m, 100 + m));

async function replay(style: ExecutionStyle | null) {
  const config = testConfig({ connector: { paper: { slippage_bps: '0', taker_fee_rate: '0', maker_fee_rate: '0', instruments: { BTC_USDT: BTC } } } });
  const directive = { ...newTrade('D1', at(0) + 1, { size: '1' }), routing_plan: { chunk_count_hint: 4 } };
  const run = await runBacktest({
    config,
    bars: chunks(rising),
    directives: lines([directive]),
    logger: silentLogger,
    ...(style ? { rewriteDirective: (text: string) => withStyle(text, style, 4) } : {}),
  });
  try {
    const orders = (await run.platform.store.ledger.listOrders()).filter((o) => o.purpose === 'ENTRY');
    const rows = styleRows(await run.platform.store.journal.read({}), style ?? 'as written', null);
    return { orders, rows };
  } finally {
    await run.platform.close();
    run.release();
  }
}

describe('execution styles in a backtest, on simulated time', () => {
  it('a TWAP replay sends its children between bars on each bar’s close, and the report rows compare its shortfall with the SINGLE replay', async () => {
    const single = await replay('SINGLE');
    expect(single.orders.map((o) => [o.client_order_id.split('-')[1], o.average_fill_price?.toFixed()])).toEqual([['E', '101']]);
    expect(single.rows).toMatchObject([{ run: 'SINGLE', style: 'SINGLE', entries: 1, childOrders: 1, filledQuantity: '1', shortfallBps: '0' }]);

    const twap = await replay('TWAP');
    // decided at minute 1's open (101); children every minute of the 4-minute window, each at the close of the bar before it
    expect(twap.orders.map((o) => [o.client_order_id.split('-')[1], o.quantity.toFixed(), o.average_fill_price?.toFixed()])).toEqual([
      ['T1', '0.25', '101'],
      ['T2', '0.25', '102'],
      ['T3', '0.25', '103'],
      ['T4', '0.25', '104'],
    ]);
    // average 102.5 against 101: 148.51 bps, 1.5 USDT on 1 BTC
    expect(twap.rows).toMatchObject([{ run: 'TWAP', style: 'TWAP', entries: 1, childOrders: 4, filledQuantity: '1', shortfallBps: '148.51', shortfallCost: '1.5' }]);
  });

  it('a line replayed with a style keeps everything else it says; a line that is not a NEW_TRADE passes unchanged', () => {
    const line = '{"directive_id":"D1","scope":"NEW_TRADE","size_plan":{"position_size":"0.1"},"routing_plan":{"time_in_force":"FOK","max_slippage_pct":"0.002","chunk_count_hint":3}}';
    expect(JSON.parse(withStyle(line, 'TWAP', 5))).toEqual({
      directive_id: 'D1',
      scope: 'NEW_TRADE',
      size_plan: { position_size: '0.1' },
      routing_plan: { max_slippage_pct: '0.002', chunk_count_hint: 3, preferred_execution_style: 'TWAP', max_execution_window_minutes: 5 },
    });
    expect(JSON.parse(withStyle('{"scope":"NEW_TRADE","routing_plan":{"max_execution_window_minutes":9}}', 'SINGLE', 5))).toEqual({ scope: 'NEW_TRADE', routing_plan: { preferred_execution_style: 'SINGLE' } });
    const close = '{"scope":"CLOSE_EXISTING","routing_plan":{}}';
    expect(withStyle(close, 'TWAP', 5)).toBe(close);
    expect(withStyle('not json', 'TWAP', 5)).toBe('not json');
  });
});
