import { Decimal } from '../../domain/decimal.js';
import type { PaperConnectorConfig } from '../../config/schema.js';
import type { InstrumentRules } from '../../ports/connector.js';

/** An instrument the paper venue lists: the exchange's rules plus its opening reference price. */
export interface PaperInstrument extends InstrumentRules {
  readonly reference_price: Decimal;
}

interface InstrumentText {
  readonly tick_size: string;
  readonly lot_size: string;
  readonly min_quantity: string;
  readonly min_notional: string;
  readonly reference_price: string;
}

/** Spot rules close to a large exchange's, so `planexec run` works with no config (DESIGN §5). */
const BUILT_IN: Readonly<Record<string, InstrumentText>> = {
  BTC_USDT: { tick_size: '0.01', lot_size: '0.00001', min_quantity: '0.00001', min_notional: '5', reference_price: '65000' },
  ETH_USDT: { tick_size: '0.01', lot_size: '0.0001', min_quantity: '0.0001', min_notional: '5', reference_price: '3500' },
  SOL_USDT: { tick_size: '0.01', lot_size: '0.001', min_quantity: '0.001', min_notional: '5', reference_price: '150' },
};

type InstrumentConfig = PaperConnectorConfig['instruments'][string];

function instrument(symbol: string, rules: InstrumentConfig): PaperInstrument {
  const [base = symbol, quote = ''] = symbol.split('_');
  return { symbol, base_asset: base, quote_asset: quote, ...rules, max_quantity: rules.max_quantity ?? null };
}

/** The built-in instruments, each replaced or joined by the ones in config. */
export function resolveInstruments(overrides: PaperConnectorConfig['instruments']): ReadonlyMap<string, PaperInstrument> {
  const result = new Map<string, PaperInstrument>();
  for (const [symbol, text] of Object.entries(BUILT_IN)) {
    result.set(
      symbol,
      instrument(symbol, {
        tick_size: new Decimal(text.tick_size),
        lot_size: new Decimal(text.lot_size),
        min_quantity: new Decimal(text.min_quantity),
        min_notional: new Decimal(text.min_notional),
        reference_price: new Decimal(text.reference_price),
      }),
    );
  }
  for (const [symbol, rules] of Object.entries(overrides)) result.set(symbol, instrument(symbol, rules));
  return result;
}
