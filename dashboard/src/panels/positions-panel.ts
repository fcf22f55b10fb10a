import type { PositionView } from '../api/types.js';
import { badge, cells, el, fill, table } from '../ui/dom.js';
import { sign, text, time } from '../ui/format.js';

/** Open positions with the venue's mark price and the unrealised PnL at that mark. */
export class PositionsPanel {
  readonly #body: HTMLElement;

  constructor(body: HTMLElement) {
    this.#body = body;
  }

  render(positions: readonly PositionView[]): void {
    const rows = positions.map((p) => {
      const row = el('tr', { 'data-testid': 'position-row', 'data-trade-id': p.trade_id });
      row.append(
        ...cells([
          el('code', {}, [p.trade_id]),
          p.strategy_id,
          p.symbol,
          badge(p.direction, p.direction === 'BUY' ? 'buy' : 'sell'),
          text(p.filled_size),
          text(p.entry_price),
          text(p.mark_price),
          el('span', { class: pnlClass(p.unrealized_pnl), 'data-testid': 'unrealized-pnl' }, [text(p.unrealized_pnl)]),
          text(p.stop_loss),
          text(p.take_profit),
          p.protection === 'MISSING' ? badge('MISSING', 'failed') : badge(p.protection, p.protection === 'LIVE' ? 'ok' : 'muted'),
          time(p.opened_at),
        ]),
      );
      return row;
    });
    fill(this.#body, [
      table(['trade', 'strategy', 'symbol', 'side', 'size', 'entry', 'mark', 'uPnL', 'stop', 'target', 'protection', 'opened'], rows, 'No open position.'),
    ]);
  }
}

export function pnlClass(value: string | null): string {
  const s = sign(value);
  return s > 0 ? 'gain' : s < 0 ? 'loss' : '';
}
