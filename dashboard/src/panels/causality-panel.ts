import type { FlowDetail } from '../api/types.js';
import { causalityTree } from '../model/causality-tree.js';
import { entrySummary } from '../model/entry-summary.js';
import { badge, el, fill } from '../ui/dom.js';
import { dateTime, ms, text, time } from '../ui/format.js';
import { statusBadge } from './flows-panel.js';

/** The causality of one directive: its journal entries as a tree by causation_id. */
export class CausalityPanel {
  readonly #body: HTMLElement;

  constructor(body: HTMLElement) {
    this.#body = body;
    fill(body, [el('p', { class: 'empty' }, ['Click a flow to see what caused what: directive → plans → orders → fills → ledger → stop.'])]);
  }

  loading(flowId: string): void {
    fill(this.#body, [el('p', { class: 'empty' }, [`Loading ${flowId}…`])]);
  }

  failed(flowId: string, message: string): void {
    fill(this.#body, [el('p', { class: 'error' }, [`Could not load ${flowId}: ${message}`])]);
  }

  render(detail: FlowDetail): void {
    const { flow } = detail;
    const nodes = causalityTree(detail.timeline);
    const head = el('div', { class: 'causality-head', 'data-testid': 'causality-flow', 'data-flow-id': flow.flow_id }, [
      el('code', {}, [flow.flow_id]),
      ' ',
      statusBadge(flow),
      el('span', { class: 'muted' }, [` ${text(flow.strategy_id)} · started ${dateTime(flow.started_at)} · ${ms(flow.duration_ms)}`]),
      flow.reason === null ? null : el('div', { class: 'reason' }, [flow.reason]),
    ]);
    const list = el(
      'ol',
      { class: 'causality-tree', 'data-testid': 'causality-tree' },
      nodes.map(({ entry, depth }) =>
        el('li', { class: `node kind-${entry.kind}`, style: `--depth:${depth}`, 'data-testid': 'causality-node', 'data-depth': String(depth), 'data-kind': entry.kind }, [
          el('details', {}, [
            el('summary', {}, [
              depth === 0 ? null : el('span', { class: 'elbow', 'aria-hidden': 'true' }, ['└ ']),
              badge(entry.kind, `kind-${entry.kind}`),
              ' ',
              el('strong', {}, [entry.event_type]),
              el('span', { class: 'muted' }, [` #${entry.seq} · ${time(entry.timestamp)} `]),
              el('span', { class: 'summary' }, [entrySummary(entry.body)]),
            ]),
            el('pre', {}, [JSON.stringify(entry.body, null, 2)]),
          ]),
        ]),
      ),
    );
    fill(this.#body, [head, nodes.length === 0 ? el('p', { class: 'empty' }, ['The journal holds no entry for this flow.']) : list]);
  }
}
