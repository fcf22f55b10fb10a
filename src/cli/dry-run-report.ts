import type { IntakeResult } from '../app/directive-intake.js';
import type { JournalEntry } from '../ports/journal.js';
import { renderTable } from './table.js';

/** One order leg a dry run would have sent (wire form: decimals as strings). */
export interface DryRunOrder {
  readonly action: 'PLACE' | 'CANCEL' | 'AMEND';
  readonly purpose: string | null;
  readonly trade_id: string | null;
  readonly client_order_id: string;
  readonly symbol: string | null;
  readonly side: string | null;
  readonly order_type: string | null;
  readonly quantity: string | null;
  readonly limit_price: string | null;
  readonly stop_price: string | null;
  readonly time_in_force: string | null;
  readonly reduce_only: boolean | null;
}

/**
 * What the dry run says of one directive. WOULD_SEND: it would run and send `orders`. DENIED: we
 * would refuse it before sending (risk, venue rules: `error_code` names the rule). INVALID: not a
 * valid directive. DUPLICATE: its id already ran against this database. FAILED / IN_DOUBT: it
 * would fail for another reason.
 */
export interface DryRunLine {
  readonly line: number | null;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly outcome: 'WOULD_SEND' | 'DENIED' | 'INVALID' | 'DUPLICATE' | 'FAILED' | 'IN_DOUBT';
  readonly error_code: string | null;
  readonly reason: string | null;
  /** The refusal's details (the limit or venue rule and the figure), null when it would be sent. */
  readonly details: unknown;
  readonly orders: readonly DryRunOrder[];
}

type Body = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The legs a flow journaled as about to be sent (ORDER_INTENT: the write-ahead, with the order exactly as sent). */
export function ordersOf(entries: readonly JournalEntry[]): DryRunOrder[] {
  const orders: DryRunOrder[] = [];
  for (const entry of entries) {
    if (entry.event_type !== 'ORDER_INTENT') continue;
    const body = entry.body as Body;
    const action = body['action'];
    if (action !== 'PLACE' && action !== 'CANCEL' && action !== 'AMEND') continue;
    const order = (action === 'PLACE' ? body['order'] : action === 'AMEND' ? body['changes'] : {}) as Body | undefined;
    orders.push({
      action,
      purpose: text(body['purpose']),
      trade_id: text(body['trade_id']),
      client_order_id: text(body['client_order_id']) ?? '',
      symbol: text(order?.['symbol']),
      side: text(order?.['side']),
      order_type: text(order?.['order_type']),
      quantity: text(order?.['quantity']),
      limit_price: text(order?.['limit_price']),
      stop_price: text(order?.['stop_price']),
      time_in_force: text(order?.['time_in_force']),
      reduce_only: typeof order?.['reduce_only'] === 'boolean' ? order['reduce_only'] : null,
    });
  }
  return orders;
}

export function dryRunLine(result: IntakeResult, entries: readonly JournalEntry[]): DryRunLine {
  const failed = entries.find((e) => e.event_type === 'EXECUTION_FAILED')?.body as Body | undefined;
  const errorType = text(failed?.['error_type']);
  const outcome: DryRunLine['outcome'] =
    result.outcome === 'SUCCEEDED'
      ? 'WOULD_SEND'
      : result.outcome === 'DUPLICATE'
        ? 'DUPLICATE'
        : result.outcome === 'IN_DOUBT'
          ? 'IN_DOUBT'
          : errorType === 'RiskDenied'
            ? 'DENIED'
            : errorType === 'ValidationError'
              ? 'INVALID'
              : 'FAILED';
  return {
    line: result.line,
    flow_id: result.flow_id,
    directive_id: result.directive_id,
    outcome,
    error_code: result.error_code,
    reason: outcome === 'WOULD_SEND' ? null : result.reason,
    details: failed?.['error_details'] ?? null,
    orders: outcome === 'WOULD_SEND' || outcome === 'FAILED' || outcome === 'IN_DOUBT' ? ordersOf(entries) : [],
  };
}

/** The human report: the orders that would be sent, then the directives that would not run and why. */
export function dryRunText(lines: readonly DryRunLine[]): string {
  const orders = lines.flatMap((l) => l.orders.map((o) => ({ l, o })));
  const parts: string[] = [];
  parts.push(
    orders.length === 0
      ? 'dry run: no order would be sent'
      : `dry run: ${orders.length} order leg(s) would be sent (nothing was sent)\n\n` +
          renderTable<{ l: DryRunLine; o: DryRunOrder }>(
            [
              { header: 'line', value: (r) => (r.l.line === null ? '' : String(r.l.line)), align: 'right' },
              { header: 'directive', value: (r) => r.l.directive_id ?? r.l.flow_id, maxWidth: 36 },
              { header: 'action', value: (r) => r.o.action },
              { header: 'purpose', value: (r) => r.o.purpose ?? '' },
              { header: 'symbol', value: (r) => r.o.symbol ?? '' },
              { header: 'side', value: (r) => r.o.side ?? '' },
              { header: 'type', value: (r) => r.o.order_type ?? '' },
              { header: 'quantity', value: (r) => r.o.quantity ?? '', align: 'right' },
              { header: 'limit', value: (r) => r.o.limit_price ?? '', align: 'right' },
              { header: 'stop', value: (r) => r.o.stop_price ?? '', align: 'right' },
              { header: 'reduce_only', value: (r) => (r.o.reduce_only === null ? '' : String(r.o.reduce_only)) },
              { header: 'client_order_id', value: (r) => r.o.client_order_id },
            ],
            orders,
          ),
  );
  const refused = lines.filter((l) => l.outcome !== 'WOULD_SEND');
  if (refused.length > 0) {
    parts.push(
      `${refused.length} directive(s) would not be sent:\n\n` +
        renderTable<DryRunLine>(
          [
            { header: 'line', value: (l) => (l.line === null ? '' : String(l.line)), align: 'right' },
            { header: 'directive', value: (l) => l.directive_id ?? l.flow_id, maxWidth: 36 },
            { header: 'outcome', value: (l) => l.outcome },
            { header: 'code', value: (l) => l.error_code ?? '' },
            { header: 'reason', value: (l) => l.reason ?? '', maxWidth: 160 },
          ],
          refused,
        ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
