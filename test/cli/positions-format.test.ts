import { describe, expect, it } from 'vitest';
import { closeKind, positionTotals } from '../../src/app/position-totals.js';
import { positionJson } from '../../src/app/position-json.js';
import { positionsFootnote, positionsTable, totalsLine } from '../../src/cli/positions-format.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { Position } from '../../src/domain/trading.js';

const d = (s: string): Decimal => new Decimal(s);

const closed: Position = {
  trade_id: 'DIR_1',
  strategy_id: 's',
  symbol: 'BTC_USDT',
  direction: 'BUY',
  status: 'CLOSED',
  entry_price: d('65000.10'),
  position_size: d('0.015'),
  filled_size: d('0'),
  remaining_size: d('0'),
  average_entry_price: d('65000.1'),
  stop_loss: d('64000'),
  take_profit: d('67000'),
  protection: 'NONE',
  exit_price: d('67000'),
  close_reason: 'TAKE_PROFIT',
  realized_pnl: d('28.4985'),
  fees: d('1.98'),
  fees_by_asset: { USDT: d('1.98') },
  opened_at: '2026-11-24T10:15:00.000Z',
  closed_at: '2026-11-24T11:15:00.000Z',
  updated_at: '2026-11-24T11:15:00.000Z',
  opened_by: 'DIR_1',
  last_directive_id: null,
};
const open: Position = { ...closed, trade_id: 'DIR_2', status: 'OPEN', exit_price: null, close_reason: null, closed_at: null, realized_pnl: d('0'), fees: d('0.5'), fees_by_asset: { USDT: d('0.5'), BNB: d('0.0001') }, filled_size: d('0.015') };

describe('positions output', () => {
  it('has exactly the contract fields with decimals as strings', () => {
    expect(positionJson(closed)).toEqual({
      trade_id: 'DIR_1',
      strategy_id: 's',
      symbol: 'BTC_USDT',
      direction: 'BUY',
      entry_price: '65000.1',
      position_size: '0.015',
      stop_loss: '64000',
      take_profit: '67000',
      protection: 'NONE',
      status: 'CLOSED',
      exit_price: '67000',
      close_reason: 'TAKE_PROFIT',
      realized_pnl: '28.4985',
      fees: '1.98',
      fees_by_asset: { USDT: '1.98' },
      opened_at: '2026-11-24T10:15:00.000Z',
      closed_at: '2026-11-24T11:15:00.000Z',
      filled_size: '0',
      remaining_size: '0',
      average_entry_price: '65000.1',
      mark: null,
      unrealized_pnl: null,
    });
    expect(positionJson(open).exit_price).toBeNull();
  });

  it('shows every fee per asset in the JSON and the fees outside the quote asset in the table', () => {
    expect(positionJson(open).fees_by_asset).toEqual({ BNB: '0.0001', USDT: '0.5' });
    const table = positionsTable([closed, open]);
    expect(table).toContain('OTHER FEES');
    expect(table).toContain('0.0001 BNB');
  });

  it('adds up PnL and fees exactly and counts closes by reason', () => {
    const totals = positionTotals([closed, open]);
    expect(totals.realized_pnl.toFixed()).toBe('28.4985');
    expect(totals.fees.toFixed()).toBe('2.48');
    expect(totals.net_pnl.toFixed()).toBe('26.0185');
    expect(totals.closed_by_reason).toEqual({ TAKE_PROFIT: 1 });
    expect(totalsLine(totals)).toBe('2 positions: 1 open, 1 closed; realised PnL 28.50, fees 2.48, net 26.02');
  });

  it('renders a header and one row per position', () => {
    const lines = positionsTable([closed, open]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TRADE\s+STRATEGY\s+SYMBOL/);
    expect(lines[1]).toContain('TAKE_PROFIT');
  });

  it('shows the average entry price (the one PnL uses) under ENTRY, also for a row whose entry_price predates it', () => {
    const grown: Position = { ...open, entry_price: d('60000'), average_entry_price: d('63000'), close_reason: '\u001b[31mred' };
    const [header, row] = positionsTable([grown]).split('\n');
    const entryEnd = header!.indexOf('ENTRY') + 'ENTRY'.length;
    expect(row!.slice(0, entryEnd).trimEnd()).toMatch(/ 63000$/);
    expect(row).not.toContain('60000');
    expect(row).not.toContain('\u001b');
  });
});

describe('stop and target columns', () => {
  const cells = (p: Position): { stop: string; target: string } => {
    const [header, row] = positionsTable([p]).split('\n').map((line) => line.trim().split(/\s{2,}/));
    return { stop: row![header!.indexOf('STOP')]!, target: row![header!.indexOf('TARGET')]! };
  };

  it('prints a plain price for an open trade only when its protection rests at the venue', () => {
    expect(cells({ ...open, protection: 'LIVE' })).toEqual({ stop: '64000', target: '67000' });
    expect(positionsFootnote([{ ...open, protection: 'LIVE' }])).toBeNull();
  });

  it('prints MISSING when the venue refused it, and price* with a footnote while the entry has not filled', () => {
    expect(cells({ ...open, protection: 'MISSING' })).toEqual({ stop: 'MISSING', target: 'MISSING' });
    const resting: Position = { ...open, filled_size: d('0'), protection: 'NONE' };
    expect(cells(resting)).toEqual({ stop: '64000*', target: '67000*' });
    expect(positionsFootnote([resting])).toMatch(/^\* .*once the entry fills/);
  });

  it('shows a closed trade the stop and target it had', () => {
    expect(cells(closed)).toEqual({ stop: '64000', target: '67000' });
    expect(positionsFootnote([closed])).toBeNull();
  });
});

describe('mark price and unrealised PnL of open trades', () => {
  const marks = new Map([
    ['BTC_USDT', { price: d('66000.1'), unknown: null }],
    ['ETH_USDT', { price: null, unknown: 'ccxt:binance: no prices for ETH_USDT from binance within 3000 ms: timeout' }],
  ] as const);
  const cells = (p: Position): { mark: string; upnl: string } => {
    const [header, row] = positionsTable([p], marks).split('\n').map((line) => line.trim().split(/\s{2,}/));
    return { mark: row![header!.indexOf('MARK')]!, upnl: row![header!.indexOf('UPNL')]! };
  };

  it('a BUY gains when the mark is above the entry, a SELL when it is below: (mark − entry) × held, exact in JSON', () => {
    expect(positionJson(open, marks)).toMatchObject({ mark: '66000.1', unrealized_pnl: '15' });
    expect(positionJson({ ...open, direction: 'SELL' }, marks)).toMatchObject({ mark: '66000.1', unrealized_pnl: '-15' });
    expect(positionJson({ ...open, filled_size: d('0.0105') }, marks).unrealized_pnl).toBe('10.5');
    expect(cells(open)).toEqual({ mark: '66000.1', upnl: '15.00' });
  });

  it('a closed trade has neither; an open one with nothing filled has a mark but no PnL', () => {
    expect(positionJson(closed, marks)).toMatchObject({ mark: null, unrealized_pnl: null });
    expect(cells(closed)).toEqual({ mark: '-', upnl: '-' });
    expect(positionJson({ ...open, filled_size: d('0') }, marks)).toMatchObject({ mark: '66000.1', unrealized_pnl: null });
  });

  it('an unknown mark is blank in JSON, ? in the table, with a footnote saying why', () => {
    const eth: Position = { ...open, symbol: 'ETH_USDT', protection: 'LIVE' };
    expect(positionJson(eth, marks)).toMatchObject({ mark: null, unrealized_pnl: null });
    expect(cells(eth)).toEqual({ mark: '?', upnl: '?' });
    expect(positionsFootnote([eth], marks)).toBe('? no mark for ETH_USDT: ccxt:binance: no prices for ETH_USDT from binance within 3000 ms: timeout');
    expect(positionsFootnote([{ ...eth, symbol: 'SOL_USDT' }], marks)).toBe('? no mark for SOL_USDT: no price source was asked');
  });
});

describe('closeKind', () => {
  it('keeps the order purpose that closed a trade at the venue and calls a directive close CLOSE_EXISTING', () => {
    expect(closeKind('STOP_LOSS')).toBe('STOP_LOSS');
    expect(closeKind('TAKE_PROFIT')).toBe('TAKE_PROFIT');
    expect(closeKind('momentum faded')).toBe('CLOSE_EXISTING');
    expect(closeKind(null)).toBe('UNKNOWN');
  });
});
