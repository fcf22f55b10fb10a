import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { referenceOf, STRATEGIES, symbolOf } from './crash-world.js';

/**
 * Half the strategies send a TWAP (6 children over one minute), half a PASSIVE entry (one
 * post-only child re-priced every second on a moving price, one minute). A BUY each, so the spot
 * loopback exchange can take them too.
 */
export function styledDirectives(symbol: (s: number) => string): { text: string; ids: string[] } {
  const ids: string[] = [];
  const lines: string[] = [];
  for (let s = 0; s < STRATEGIES; s++) {
    const id = `STYLE_${s}`;
    ids.push(id);
    const twap = s % 2 === 0;
    const routing = twap
      ? { preferred_execution_style: 'TWAP', max_execution_window_minutes: 1, chunk_count_hint: 6, max_slippage_pct: '0.05' }
      : { preferred_execution_style: 'PASSIVE', max_execution_window_minutes: 1 };
    lines.push(
      JSON.stringify({
        directive_id: id,
        strategy_id: `styled_${s}`,
        scope: 'NEW_TRADE',
        timestamp: '2026-12-03T10:00:00Z',
        entry_plan: { symbol: symbol(s), direction: 'BUY', order_type: 'MARKET' },
        size_plan: { position_size: '0.6' },
        exit_plan: { stop_loss_price: String(referenceOf(s) * 0.5) },
        routing_plan: routing,
      }),
    );
  }
  return { text: `${lines.join('\n')}\n`, ids };
}

/** Prices that move a few ticks around each reference, a row every 250 ms: PASSIVE children are re-priced and filled. */
export function priceFile(path: string): void {
  const rows = ['timestamp,symbol,price'];
  const start = Date.UTC(2026, 11, 3, 10, 0, 0);
  // 10 steps × 8 symbols × 250 ms = 20 s of moving prices (`planexec run` waits for the replay to end)
  for (let i = 0; i < 10; i++) {
    const at = new Date(start + i * 1000).toISOString();
    for (let s = 0; s < STRATEGIES; s++) rows.push(`${at},${symbolOf(s)},${(referenceOf(s) + 0.2 * Math.sin(i / 3)).toFixed(2)}`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
}

/** A styled child's legs at the venue: none sent twice, whatever the kills. */
export function childLegs(db: string): { children: number; plannedFlows: number } {
  const raw = new Database(db, { readonly: true });
  try {
    const children = (raw.prepare(`SELECT COUNT(*) AS n FROM orders WHERE purpose = 'ENTRY' AND client_order_id NOT LIKE '%-E'`).get() as { n: number }).n;
    const plannedFlows = (raw.prepare(`SELECT COUNT(DISTINCT flow_id) AS n FROM journal WHERE event_type = 'EXECUTION_PLANNED' AND json_extract(body, '$.phase') = 'planned'`).get() as { n: number }).n;
    return { children, plannedFlows };
  } finally {
    raw.close();
  }
}

