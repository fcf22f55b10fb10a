import { Decimal, ZERO } from '../../../src/domain/decimal.js';
import { binanceErrors } from './binance-error.js';
import { binanceDecimal } from './format.js';

export interface BalanceView {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

interface Holding {
  free: Decimal;
  locked: Decimal;
}

/** Spot balances per asset: free can be spent or locked; locked is held by resting orders. */
export class Balances {
  readonly #holdings = new Map<string, Holding>();

  constructor(start: Record<string, string>) {
    for (const [asset, amount] of Object.entries(start)) this.#holding(asset).free = new Decimal(amount);
  }

  free(asset: string): Decimal {
    return this.#holding(asset).free;
  }

  locked(asset: string): Decimal {
    return this.#holding(asset).locked;
  }

  /** Moves free to locked, or refuses with Binance's insufficient-balance error. */
  lock(asset: string, amount: Decimal): void {
    const holding = this.#holding(asset);
    if (holding.free.lt(amount)) throw binanceErrors.insufficientBalance();
    holding.free = holding.free.minus(amount);
    holding.locked = holding.locked.plus(amount);
  }

  unlock(asset: string, amount: Decimal): void {
    const holding = this.#holding(asset);
    holding.locked = holding.locked.minus(amount);
    holding.free = holding.free.plus(amount);
  }

  /** Spends from locked (an order's own lock) or from free. */
  debit(asset: string, amount: Decimal, from: 'free' | 'locked'): void {
    const holding = this.#holding(asset);
    if (holding[from].lt(amount)) throw binanceErrors.insufficientBalance();
    holding[from] = holding[from].minus(amount);
  }

  credit(asset: string, amount: Decimal): void {
    const holding = this.#holding(asset);
    holding.free = holding.free.plus(amount);
  }

  set(asset: string, free: Decimal): void {
    this.#holding(asset).free = free;
  }

  views(): BalanceView[] {
    return [...this.#holdings.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([asset, h]) => ({ asset, free: binanceDecimal(h.free), locked: binanceDecimal(h.locked) }));
  }

  #holding(asset: string): Holding {
    let holding = this.#holdings.get(asset);
    if (!holding) {
      holding = { free: ZERO, locked: ZERO };
      this.#holdings.set(asset, holding);
    }
    return holding;
  }
}
