import type { QualityRow, StyleShortfallRow } from '../api/types.js';
import { cells, el, fill, table } from '../ui/dom.js';
import { ms, percent, text } from '../ui/format.js';
import { pnlClass } from './positions-panel.js';

/** Execution quality per strategy and symbol (slippage against the directive's price, latency, fill ratio), then the shortfall per execution style. */
export class QualityPanel {
  readonly #body: HTMLElement;

  constructor(body: HTMLElement) {
    this.#body = body;
  }

  render(rows: readonly QualityRow[], styles: readonly StyleShortfallRow[] = []): void {
    const trs = rows.map((r) => {
      const row = el('tr', { 'data-testid': 'quality-row' });
      // Positive slippage is worse for the trader: shown as a loss.
      const slippage = r.avg_slippage_bps === null ? null : String(r.avg_slippage_bps);
      row.append(
        ...cells([
          r.strategy_id,
          r.symbol,
          r.fills,
          text(r.filled_quantity),
          el('span', { class: pnlClass(slippage === null ? null : negate(slippage)) }, [slippage === null ? '—' : `${slippage} bps`]),
          ms(r.p50_latency_ms),
          ms(r.p95_latency_ms),
          percent(r.fill_ratio === null ? null : String(r.fill_ratio)),
        ]),
      );
      return row;
    });
    const styleRows = styles.map((r) => {
      const row = el('tr', { 'data-testid': 'style-row' });
      const shortfall = r.avg_shortfall_bps;
      row.append(
        ...cells([
          r.style,
          r.entries,
          r.child_orders,
          `${text(r.filled_quantity)} / ${text(r.planned_quantity)}`,
          percent(r.fill_ratio),
          // positive shortfall paid more than decided: shown as a loss
          el('span', { class: pnlClass(shortfall === null ? null : negate(shortfall)) }, [shortfall === null ? '—' : `${shortfall} bps`]),
        ]),
      );
      return row;
    });
    fill(this.#body, [
      table(['strategy', 'symbol', 'fills', 'filled qty', 'avg slippage', 'p50 accepted→fill', 'p95 accepted→fill', 'fill ratio'], trs, 'No fill yet.'),
      el('h3', {}, ['Shortfall by execution style (against the decision price)']),
      table(['style', 'entries', 'orders', 'filled / planned', 'fill ratio', 'avg shortfall'], styleRows, 'No entry yet.'),
    ]);
  }
}

function negate(decimal: string): string {
  return decimal.startsWith('-') ? decimal.slice(1) : `-${decimal}`;
}
