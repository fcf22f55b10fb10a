/**
 * The wire objects of the `planexec serve` API the dashboard reads (docs: API contract). Field
 * names are the wire's snake_case; decimals are strings and stay strings here: the dashboard shows
 * them as written and never does money arithmetic in floating point.
 */

export type FlowStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT';
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

export interface ErrorDetails {
  readonly error_type: string;
  readonly error_code: string;
  readonly error_message: string;
}

export interface FlowRecord {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly status: FlowStatus;
  readonly final_state: 'SUCCESS' | 'ERROR' | null;
  readonly reason: string | null;
  readonly error_details: ErrorDetails | null;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
}

/** Payload of the `flow_stop` event (the spec's FlowCompletionDTO). */
export interface FlowCompletion {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly completion_time: string;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly reason: string;
  readonly final_state: 'SUCCESS' | 'ERROR';
  readonly outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT';
  readonly error_details: ErrorDetails | null;
}

export type TimelineKind = 'directive' | 'plan' | 'order' | 'fill' | 'ledger' | 'event' | 'error' | 'stop';

export interface TimelineEntry {
  readonly seq: number;
  readonly entry_id: string;
  readonly event_type: string;
  readonly kind: TimelineKind;
  readonly timestamp: string;
  readonly causation_id: string | null;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface FlowDetail {
  readonly flow: FlowRecord;
  readonly timeline: readonly TimelineEntry[];
}

export interface PositionView {
  readonly trade_id: string;
  readonly strategy_id: string;
  readonly symbol: string;
  readonly direction: 'BUY' | 'SELL';
  readonly status: 'OPEN' | 'CLOSED';
  readonly entry_price: string | null;
  readonly position_size: string;
  readonly filled_size: string;
  readonly stop_loss: string | null;
  readonly take_profit: string | null;
  readonly protection: 'NONE' | 'LIVE' | 'MISSING';
  readonly realized_pnl: string;
  readonly opened_at: string;
  readonly mark_price: string | null;
  readonly unrealized_pnl: string | null;
}

export type OrderPurpose = 'ENTRY' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'INCREASE' | 'REDUCE' | 'CLOSE' | 'COMPENSATION';
export type OrderStatus = 'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'REJECTED' | 'EXPIRED' | 'IN_DOUBT';

export interface OrderView {
  readonly client_order_id: string;
  readonly venue_order_id: string | null;
  readonly trade_id: string;
  readonly directive_id: string | null;
  readonly purpose: OrderPurpose;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly order_type: string;
  readonly quantity: string;
  readonly limit_price: string | null;
  readonly stop_price: string | null;
  readonly status: OrderStatus;
  readonly filled_quantity: string;
  readonly updated_at: string;
}

export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string | null;
  readonly changed_by: string | null;
  readonly changed_at: string | null;
}

/** GET /api/workers: the workers sharing the store. */
export interface WorkerView {
  readonly worker_id: string;
  readonly host: string;
  readonly pid: number;
  readonly heartbeat_at: string;
  readonly leases: number;
  readonly alive: boolean;
}

export interface WorkersAnswer {
  readonly mode: 'single' | 'distributed';
  readonly this_worker: string;
  readonly workers: readonly WorkerView[];
  readonly stream: { readonly name: string; readonly status: string; readonly partitions: readonly number[] } | null;
}

export interface QualityRow {
  readonly strategy_id: string;
  readonly symbol: string;
  readonly fills: number;
  readonly filled_quantity: string;
  readonly avg_slippage_bps: string | null;
  readonly p50_latency_ms: number | null;
  readonly p95_latency_ms: number | null;
  readonly fill_ratio: string | null;
}

/** Implementation shortfall per execution style (GET /api/execution-quality `styles`). */
export interface StyleShortfallRow {
  readonly style: string;
  readonly entries: number;
  readonly child_orders: number;
  readonly planned_quantity: string;
  readonly filled_quantity: string;
  readonly fill_ratio: string | null;
  readonly avg_shortfall_bps: string | null;
}

export type ExportKind = 'trades' | 'orders' | 'fills' | 'journal';
export const EXPORT_KINDS: readonly ExportKind[] = ['trades', 'orders', 'fills', 'journal'];
export type ExportFormat = 'csv' | 'jsonl';
