import type { ApiClient } from './api/api-client.js';
import type { FlowDetail, FlowRecord, OrderView, PositionView, QualityRow, StyleShortfallRow, TradingState, TradingStateRecord, WorkersAnswer } from './api/types.js';
import { EventStream, type StreamEventName, type StreamStatus } from './live/event-stream.js';
import { FlowBook } from './model/flow-book.js';
import { flowFromCompletion, isFlowCompletion } from './model/flow-outcome.js';
import { CausalityPanel } from './panels/causality-panel.js';
import { ExportPanel } from './panels/export-panel.js';
import { FailuresPanel } from './panels/failures-panel.js';
import { FlowsPanel } from './panels/flows-panel.js';
import { LIVE_ORDER_STATUSES, OrdersPanel } from './panels/orders-panel.js';
import { PositionsPanel } from './panels/positions-panel.js';
import { QualityPanel } from './panels/quality-panel.js';
import { RatesPanel } from './panels/rates-panel.js';
import { TradingStatePanel } from './panels/trading-state-panel.js';
import { el, fill } from './ui/dom.js';

export interface DashboardElements {
  readonly tradingState: HTMLElement;
  readonly exports: HTMLElement;
  readonly flows: HTMLElement;
  readonly rates: HTMLElement;
  readonly failures: HTMLElement;
  readonly causality: HTMLElement;
  readonly positions: HTMLElement;
  readonly orders: HTMLElement;
  readonly quality: HTMLElement;
  readonly streamStatus: HTMLElement;
  readonly dialogs: HTMLElement;
}

/** Flows kept for the list and the charts. */
const FLOW_HISTORY = 2_000;
/** Stops arriving in a burst are drawn once. */
const RENDER_DELAY_MS = 100;
/** After flows stop, positions, orders and quality are re-read once things settle. */
const REFRESH_DELAY_MS = 500;
/** Mark prices move without events: positions and quality are re-read on this period. */
const POLL_MS = 15_000;
/** The chart's time axis advances and "fresh" highlights fade on this period. */
const TICK_MS = 5_000;

/**
 * Wires the panels to the API and the live stream: everything is read once, then kept current
 * by stream events; a `reset` (resume older than the server's buffer) reads everything again.
 */
export class Dashboard {
  readonly #api: ApiClient;
  readonly #elements: DashboardElements;
  readonly #book = new FlowBook(FLOW_HISTORY);
  readonly #flows: FlowsPanel;
  readonly #rates: RatesPanel;
  readonly #failures: FailuresPanel;
  readonly #causality: CausalityPanel;
  readonly #positions: PositionsPanel;
  readonly #orders: OrdersPanel;
  readonly #quality: QualityPanel;
  readonly #state: TradingStatePanel;
  readonly #stream: EventStream;
  #renderTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #selected: string | null = null;

  constructor(api: ApiClient, elements: DashboardElements) {
    this.#api = api;
    this.#elements = elements;
    const select = (flowId: string): void => void this.openFlow(flowId);
    this.#flows = new FlowsPanel(elements.flows, select);
    this.#rates = new RatesPanel(elements.rates);
    this.#failures = new FailuresPanel(elements.failures, select);
    this.#causality = new CausalityPanel(elements.causality);
    this.#positions = new PositionsPanel(elements.positions);
    this.#orders = new OrdersPanel(elements.orders);
    this.#quality = new QualityPanel(elements.quality);
    this.#state = new TradingStatePanel(elements.tradingState, elements.dialogs, (state, reason) => this.#changeState(state, reason));
    new ExportPanel(elements.exports, api);
    this.#stream = new EventStream(api, {
      event: (name, data) => this.#onEvent(name, data),
      status: (status) => this.#showStatus(status),
    });
  }

  async start(): Promise<void> {
    // The first read asks for the token if the server wants one, before the stream needs it.
    await this.#loadTradingState();
    this.#stream.open();
    await this.#loadData();
    setInterval(() => this.#refreshSoon(0), POLL_MS);
    // heartbeats and lease counts change without an event
    setInterval(() => void this.#loadTradingState(), POLL_MS);
    setInterval(() => this.#renderFlows(), TICK_MS);
  }

  /** Read every panel's data again (start, and after a `reset` of the stream). */
  async loadAll(): Promise<void> {
    await Promise.all([this.#loadTradingState(), this.#loadData()]);
  }

  async #loadData(): Promise<void> {
    await Promise.all([this.#loadFlows(), this.#loadPositions(), this.#loadOrders(), this.#loadQuality()]);
  }

  async openFlow(flowId: string): Promise<void> {
    this.#selected = flowId;
    this.#causality.loading(flowId);
    try {
      const detail = await this.#api.getJson<FlowDetail>(`/api/flows/${encodeURIComponent(flowId)}`);
      if (this.#selected === flowId) this.#causality.render(detail);
    } catch (error) {
      if (this.#selected === flowId) this.#causality.failed(flowId, message(error));
    }
  }

  #onEvent(name: StreamEventName, data: unknown): void {
    switch (name) {
      case 'flow_stop':
        if (!isFlowCompletion(data)) return;
        this.#book.upsert([flowFromCompletion(data)]);
        this.#flows.markFresh(data.flow_id, Date.now());
        this.#renderSoon();
        this.#refreshSoon(REFRESH_DELAY_MS);
        // The open causality view gains its stop entry.
        if (this.#selected === data.flow_id) void this.openFlow(data.flow_id);
        return;
      case 'order_update':
        if (typeof data === 'object' && data !== null && 'client_order_id' in data) this.#orders.update([data as OrderView]);
        this.#refreshSoon(REFRESH_DELAY_MS);
        return;
      case 'trading_state':
        if (typeof data === 'object' && data !== null && 'state' in data) this.#state.render(data as TradingStateRecord);
        return;
      case 'TRADE_EXECUTED':
      case 'EXECUTION_FAILED':
        this.#refreshSoon(REFRESH_DELAY_MS);
        return;
      case 'reset':
        void this.loadAll();
        return;
    }
  }

  async #changeState(state: TradingState, reason: string): Promise<TradingStateRecord> {
    return this.#api.putJson<TradingStateRecord>('/api/trading-state', { state, reason });
  }

  async #loadFlows(): Promise<void> {
    try {
      const [recent, failed, inDoubt] = await Promise.all(
        [{ limit: 1000 }, { state: 'FAILED', limit: 200 }, { state: 'IN_DOUBT', limit: 200 }].map((query) =>
          this.#api.getJson<{ flows: FlowRecord[] }>('/api/flows', query),
        ),
      );
      this.#book.clear();
      for (const page of [recent, failed, inDoubt]) this.#book.upsert(page?.flows ?? []);
      this.#renderFlows();
    } catch (error) {
      this.#showError(this.#elements.flows, error);
    }
  }

  async #loadTradingState(): Promise<void> {
    try {
      this.#state.render(await this.#api.getJson<TradingStateRecord>('/api/trading-state'));
    } catch (error) {
      this.#state.failed(message(error));
      return;
    }
    try {
      this.#state.renderWorkers(await this.#api.getJson<WorkersAnswer>('/api/workers'));
    } catch (error) {
      // the switch works without the list; say why the list is missing
      this.#state.workersFailed(message(error));
    }
  }

  async #loadPositions(): Promise<void> {
    try {
      const { positions } = await this.#api.getJson<{ positions: PositionView[] }>('/api/positions', { status: 'OPEN' });
      this.#positions.render(positions);
    } catch (error) {
      this.#showError(this.#elements.positions, error);
    }
  }

  async #loadOrders(): Promise<void> {
    try {
      const pages = await Promise.all(LIVE_ORDER_STATUSES.map((status) => this.#api.getJson<{ orders: OrderView[] }>('/api/orders', { status })));
      this.#orders.load(pages.flatMap((page) => page.orders));
    } catch (error) {
      this.#showError(this.#elements.orders, error);
    }
  }

  async #loadQuality(): Promise<void> {
    try {
      const { rows, styles } = await this.#api.getJson<{ rows: QualityRow[]; styles?: StyleShortfallRow[] }>('/api/execution-quality');
      this.#quality.render(rows, styles ?? []);
    } catch (error) {
      this.#showError(this.#elements.quality, error);
    }
  }

  #renderFlows(): void {
    const flows = this.#book.newestFirst();
    const now = Date.now();
    this.#flows.render(flows, now);
    this.#failures.render(flows);
    this.#rates.render(flows, now);
  }

  #renderSoon(): void {
    if (this.#renderTimer !== null) return;
    this.#renderTimer = setTimeout(() => {
      this.#renderTimer = null;
      this.#renderFlows();
    }, RENDER_DELAY_MS);
  }

  /** Positions, orders and quality follow the flows; a burst of stops reads them once. */
  #refreshSoon(delayMs: number): void {
    if (this.#refreshTimer !== null) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void Promise.all([this.#loadPositions(), this.#loadOrders(), this.#loadQuality()]);
    }, delayMs);
  }

  #showStatus(status: StreamStatus): void {
    const element = this.#elements.streamStatus;
    element.dataset['status'] = status;
    fill(element, [status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'reconnecting…']);
  }

  #showError(body: HTMLElement, error: unknown): void {
    fill(body, [el('p', { class: 'error', 'data-testid': 'panel-error' }, [`Could not load: ${message(error)}`])]);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
