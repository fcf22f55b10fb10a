/** One market of the demo: its strategy, where its price path starts, how it moves, its trading rules. */
export interface DemoInstrument {
  readonly symbol: string;
  readonly strategy_id: string;
  /** First price of the path (decimal text). */
  readonly start_price: string;
  /** Volatility per step (one simulated minute), as a fraction of the price. */
  readonly volatility: number;
  readonly tick_size: string;
  readonly lot_size: string;
  readonly min_notional: string;
}

/** The three markets the paper venue knows out of the box (DESIGN §5), one breakout strategy each. */
export const DEMO_INSTRUMENTS: readonly DemoInstrument[] = [
  { symbol: 'BTC_USDT', strategy_id: 'btc_breakout', start_price: '65000', volatility: 0.003, tick_size: '0.01', lot_size: '0.00001', min_notional: '5' },
  { symbol: 'ETH_USDT', strategy_id: 'eth_breakout', start_price: '3500', volatility: 0.004, tick_size: '0.01', lot_size: '0.0001', min_notional: '5' },
  { symbol: 'SOL_USDT', strategy_id: 'sol_breakout', start_price: '150', volatility: 0.006, tick_size: '0.01', lot_size: '0.001', min_notional: '5' },
];
