import type { FlowRecord } from '../api/types.js';
import { failureKind } from '../model/flow-outcome.js';
import { badge, cells, el, fill, table } from '../ui/dom.js';
import { ms, text, time } from '../ui/format.js';

const SHOWN = 100;
const FRESH_MS = 4_000;

/** Flows as they stop, newest first; a click opens the flow's causality view. */
export class FlowsPanel {
  readonly #body: HTMLElement;
  readonly #select: (flowId: string) => void;
  readonly #fresh = new Map<string, number>();

  constructor(body: HTMLElement, select: (flowId: string) => void) {
    this.#body = body;
    this.#select = select;
  }

  /** Mark flows that just arrived on the live stream, so the eye finds them. */
  markFresh(flowId: string, nowMs: number): void {
    this.#fresh.set(flowId, nowMs);
  }

  render(flows: readonly FlowRecord[], nowMs: number): void {
    for (const [id, at] of this.#fresh) if (nowMs - at > FRESH_MS) this.#fresh.delete(id);
    const rows = flows.slice(0, SHOWN).map((flow) => {
      const row = el('tr', { class: this.#fresh.has(flow.flow_id) ? 'clickable fresh' : 'clickable', 'data-testid': 'flow-row', 'data-flow-id': flow.flow_id, tabindex: '0' });
      row.append(
        ...cells([
          time(flow.completed_at ?? flow.started_at),
          el('code', {}, [flow.flow_id]),
          text(flow.strategy_id),
          statusBadge(flow),
          ms(flow.duration_ms),
          el('span', { class: 'reason' }, [text(flow.reason)]),
        ]),
      );
      row.addEventListener('click', () => this.#select(flow.flow_id));
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') this.#select(flow.flow_id);
      });
      return row;
    });
    fill(this.#body, [table(['stopped', 'flow', 'strategy', 'status', 'duration', 'reason'], rows, 'No flow yet: flows appear here as they stop.')]);
  }
}

export function statusBadge(flow: FlowRecord): HTMLElement {
  const kind = failureKind(flow);
  if (kind === null) return badge(flow.status, flow.status === 'SUCCEEDED' ? 'ok' : 'running', 'flow-status');
  return badge(kind === 'FAILED' ? 'FAILED' : kind.replace('_', ' '), kind.toLowerCase(), 'flow-status');
}
