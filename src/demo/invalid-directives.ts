import { Decimal, decimalToWire, roundToStep } from '../domain/decimal.js';
import type { ExecutionDirectiveWire } from '../domain/directive.js';
import { type DemoIds, isoSecond } from './demo-ids.js';
import type { DemoInstrument } from './demo-instruments.js';
import type { Random } from './prng.js';

/** The ways the demo's planner gets a directive wrong; each must be refused with a clear reason. */
export const INVALID_KINDS = ['missing_plan', 'limit_without_price', 'bad_decimal', 'malformed_json', 'stop_wrong_side'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

/** One line of input that is not a valid directive. */
export function invalidDirectiveLine(
  kind: InvalidKind,
  instrument: DemoInstrument,
  price: Decimal,
  timeMs: number,
  ids: DemoIds,
  rng: Random,
): string {
  const tick = new Decimal(instrument.tick_size);
  const base: ExecutionDirectiveWire = {
    directive_id: ids.next('DIR', timeMs),
    strategy_id: instrument.strategy_id,
    scope: 'NEW_TRADE',
    timestamp: isoSecond(timeMs),
    rationale: `deliberately invalid (${kind})`,
    entry_plan: { symbol: instrument.symbol, direction: 'BUY', order_type: 'MARKET' },
    size_plan: { position_size: instrument.lot_size },
    exit_plan: { stop_loss_price: decimalToWire(roundToStep(price.mul('0.98'), tick)) },
    routing_plan: { time_in_force: 'IOC' },
  };
  switch (kind) {
    case 'missing_plan': {
      const { size_plan: _omitted, ...rest } = base;
      return JSON.stringify(rest);
    }
    case 'limit_without_price':
      return JSON.stringify({ ...base, entry_plan: { ...base.entry_plan, order_type: 'LIMIT' } });
    case 'bad_decimal': {
      const bad = ['1,5', '0.0.1', 'NaN', '-0.5', '1e999'][rng.int(5)];
      return JSON.stringify({ ...base, size_plan: { position_size: bad } });
    }
    case 'malformed_json': {
      const text = JSON.stringify(base);
      return text.slice(0, Math.floor(text.length / 2));
    }
    case 'stop_wrong_side': {
      const limit = roundToStep(price, tick);
      return JSON.stringify({
        ...base,
        entry_plan: { ...base.entry_plan, order_type: 'LIMIT', limit_price: decimalToWire(limit) },
        exit_plan: { stop_loss_price: decimalToWire(roundToStep(limit.mul('1.02'), tick)) },
        routing_plan: { time_in_force: 'GTC' },
      });
    }
  }
}
