import { describe, expect, it } from 'vitest';
import { entrySummary } from '../../dashboard/src/model/entry-summary.js';

describe('entrySummary', () => {
  it('names the known fields of an entry, top level first, then one and two objects deeper', () => {
    const intent = { action: 'PLACE', purpose: 'ENTRY', client_order_id: 'PX1', order: { symbol: 'BTC_USDT', side: 'BUY', order_type: 'LIMIT', quantity: '0.015', limit_price: '65000.1', purpose: 'IGNORED' } };
    expect(entrySummary(intent)).toBe('action=PLACE purpose=ENTRY symbol=BTC_USDT side=BUY order_type=LIMIT quantity=0.015 limit_price=65000.1');
    const accepted = { directive: { scope: 'NEW_TRADE', entry_plan: { symbol: 'ETH_USDT', direction: 'SELL' } } };
    expect(entrySummary(accepted)).toBe('scope=NEW_TRADE symbol=ETH_USDT direction=SELL');
  });

  it('leaves out lists and nulls and shortens a long summary', () => {
    expect(entrySummary({ status: null, fills: [{ price: '1' }] })).toBe('');
    const summary = entrySummary({ reason: 'x'.repeat(500) });
    expect(summary.length).toBe(120);
    expect(summary.endsWith('…')).toBe(true);
  });
});
