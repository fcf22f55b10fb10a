import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';

let counter = 0;

/** A valid NEW_TRADE directive in wire form; override any field. */
export function newTradeWire(overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  counter += 1;
  return {
    directive_id: `DIR_20261124_101500_${counter.toString(16).padStart(8, '0')}`,
    strategy_id: 'btc_momentum',
    scope: 'NEW_TRADE',
    timestamp: '2026-11-24T10:15:00Z',
    trigger_context: { opportunity_id: 'SIG_20261124_101500_0000abcd', threat_ids: [] },
    rationale: 'breakout above 20-bar high',
    entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
    size_plan: { position_size: '0.015', position_value: '975', risk_amount: '15', leverage: '1' },
    exit_plan: { stop_loss_price: '64000', take_profit_price: '67000' },
    routing_plan: { execution_urgency: '0.8', max_slippage_pct: '0.002', time_in_force: 'GTC' },
    ...overrides,
  };
}

export function modifyWire(targets: string[], overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  counter += 1;
  return {
    directive_id: `DIR_20261124_101600_${counter.toString(16).padStart(8, '0')}`,
    strategy_id: 'btc_momentum',
    scope: 'MODIFY_EXISTING',
    timestamp: '2026-11-24T10:16:00Z',
    target_trade_ids: targets,
    exit_plan: { stop_loss_price: '64500' },
    ...overrides,
  };
}

export function closeWire(targets: string[], overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  counter += 1;
  return {
    directive_id: `DIR_20261124_101700_${counter.toString(16).padStart(8, '0')}`,
    strategy_id: 'btc_momentum',
    scope: 'CLOSE_EXISTING',
    timestamp: '2026-11-24T10:17:00Z',
    rationale: 'target reached',
    target_trade_ids: targets,
    routing_plan: { execution_urgency: '1', time_in_force: 'IOC' },
    ...overrides,
  };
}

/** A second strategy beside btc_trend: a MARKET SELL of 0.5 ETH_USDT, stop above and target below. */
export function ethSwingShortWire(overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  return newTradeWire({
    strategy_id: 'eth_swing',
    entry_plan: { symbol: 'ETH_USDT', direction: 'SELL', order_type: 'MARKET' },
    size_plan: { position_size: '0.5' },
    exit_plan: { stop_loss_price: '3600', take_profit_price: '3300' },
    ...overrides,
  });
}

/** A LIMIT BUY of 10 SOL_USDT at 140, below the paper market: it rests, with stop and target. */
export function solRestingDipWire(overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  return newTradeWire({
    strategy_id: 'sol_dip',
    entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '140' },
    size_plan: { position_size: '10' },
    exit_plan: { stop_loss_price: '130', take_profit_price: '170' },
    ...overrides,
  });
}
