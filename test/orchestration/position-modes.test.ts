import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { createHarness } from './harness.js';

const sell = () =>
  newTradeWire({ strategy_id: 'btc_revert', entry_plan: { symbol: 'BTC_USDT', direction: 'SELL', order_type: 'MARKET' }, exit_plan: { stop_loss_price: '66000', take_profit_price: '63000' } });

describe('order legs carry their trade as position_id', () => {
  it('entry, stop, target and close of each trade are sent with position_id = the trade id', async () => {
    const h = createHarness();
    const buy = newTradeWire();
    const short = sell();
    await h.submit(buy);
    await h.submit(short);
    await h.submit(closeWire([buy.directive_id]));
    const placed = h.connector.placed().map((r) => [r.client_order_id, r.position_id]);
    expect(placed).toEqual(
      expect.arrayContaining([
        [clientOrderId(buy.directive_id, 'E'), buy.directive_id],
        [clientOrderId(buy.directive_id, 'SL'), buy.directive_id],
        [clientOrderId(buy.directive_id, 'TP'), buy.directive_id],
        [clientOrderId(short.directive_id, 'SL'), short.directive_id],
      ]),
    );
    expect(placed.filter(([, position]) => position === undefined)).toEqual([]);
    const close = h.connector.placed().find((r) => r.order_type === 'MARKET' && r.reduce_only);
    expect(close?.position_id).toBe(buy.directive_id);
  });
});

describe('NEW_TRADE at a netting venue', () => {
  it('denies a trade opposite to an open trade on its symbol with NETTING_CONFLICT, sending nothing', async () => {
    const h = createHarness({ capabilities: { positionMode: 'netting' } });
    const buy = newTradeWire();
    expect((await h.submit(buy)).outcome).toBe('SUCCEEDED');
    const sent = h.connector.placed().length;
    const short = sell();
    const result = await h.submit(short);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'NETTING_CONFLICT' });
    expect(result.reason).toContain(buy.directive_id);
    expect(h.connector.placed()).toHaveLength(sent);
    expect(h.ledger.positions.get(short.directive_id)).toBeUndefined();
    // no rollback or venue-failure alert for a local denial
    expect(h.alerts.codes()).not.toContain('ROLLBACK_REFUSED');
  });

  it('lets same-direction trades through, and an opposite one once the open trades are closed', async () => {
    const h = createHarness({ capabilities: { positionMode: 'netting' } });
    const first = newTradeWire();
    const second = newTradeWire();
    expect((await h.submit(first)).outcome).toBe('SUCCEEDED');
    expect((await h.submit(second)).outcome).toBe('SUCCEEDED');
    expect((await h.submit(closeWire([first.directive_id, second.directive_id]))).outcome).toBe('SUCCEEDED');
    expect((await h.submit(sell())).outcome).toBe('SUCCEEDED');
  });

  it('denies the second of two opposite trades sent at once by two strategies (the first still opening)', async () => {
    const h = createHarness({ capabilities: { positionMode: 'netting' } });
    const [a, b] = await Promise.all([h.submit(newTradeWire()), h.submit(sell())]);
    expect([a.outcome, b.outcome].sort()).toEqual(['FAILED', 'SUCCEEDED']);
    expect([a, b].find((r) => r.outcome === 'FAILED')?.error_code).toBe('NETTING_CONFLICT');
  });

  it('lets opposite trades through at a hedge venue', async () => {
    const h = createHarness({ capabilities: { positionMode: 'hedge' } });
    expect((await h.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
    expect((await h.submit(sell())).outcome).toBe('SUCCEEDED');
  });
});
