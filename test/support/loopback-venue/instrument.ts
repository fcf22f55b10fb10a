import { Decimal } from '../../../src/domain/decimal.js';
import { binanceErrors } from './binance-error.js';
import type { InstrumentConfig } from './options.js';

/** One symbol's filters, with Binance's filter checks. */
export class Instrument {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Decimal;
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  readonly minNotional: Decimal;
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;

  constructor(config: InstrumentConfig) {
    this.symbol = config.symbol;
    this.base = config.base;
    this.quote = config.quote;
    this.tickSize = new Decimal(config.tickSize);
    this.stepSize = new Decimal(config.stepSize);
    this.minQty = new Decimal(config.minQty);
    this.maxQty = new Decimal(config.maxQty);
    this.minNotional = new Decimal(config.minNotional);
    this.minPrice = new Decimal(config.minPrice ?? config.tickSize);
    this.maxPrice = new Decimal(config.maxPrice ?? '1000000000');
  }

  checkPrice(price: Decimal): void {
    const offTick = !this.tickSize.isZero() && !price.minus(this.minPrice).mod(this.tickSize).isZero();
    if (price.lt(this.minPrice) || price.gt(this.maxPrice) || offTick) throw binanceErrors.filterFailure('PRICE_FILTER');
  }

  checkQuantity(quantity: Decimal): void {
    const offStep = !this.stepSize.isZero() && !quantity.minus(this.minQty).mod(this.stepSize).isZero();
    if (quantity.lt(this.minQty) || quantity.gt(this.maxQty) || offStep) throw binanceErrors.filterFailure('LOT_SIZE');
  }

  checkNotional(notional: Decimal): void {
    if (notional.lt(this.minNotional)) throw binanceErrors.filterFailure('NOTIONAL');
  }

  /** Largest quantity on the step grid not above `quantity` (quoteOrderQty market orders). */
  floorToStep(quantity: Decimal): Decimal {
    if (this.stepSize.isZero()) return quantity;
    return quantity.div(this.stepSize).floor().mul(this.stepSize);
  }
}
