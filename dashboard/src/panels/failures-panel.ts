import type { FlowRecord } from '../api/types.js';
import { failureKind } from '../model/flow-outcome.js';
import { badge, cells, el, fill, table } from '../ui/dom.js';
import { text, time } from '../ui/format.js';

const SHOWN = 50;

/** Failed and in-doubt executions with their reasons; denials (kill switch, risk) stand apart. */
export class FailuresPanel {
  readonly #body: HTMLElement;
  readonly #select: (flowId: string) => void;

  constructor(body: HTMLElement, select: (flowId: string) => void) {
    this.#body = body;
    this.#select = select;
  }

  render(flows: readonly FlowRecord[]): void {
    const failed = flows.filter((flow) => failureKind(flow) !== null).slice(0, SHOWN);
    const rows = failed.map((flow) => {
      const kind = failureKind(flow) ?? 'FAILED';
      const row = el('tr', { class: `clickable failure-${kind.toLowerCase()}`, 'data-testid': 'failure-row', 'data-flow-id': flow.flow_id, 'data-kind': kind });
      row.append(
        ...cells([
          time(flow.completed_at ?? flow.started_at),
          el('code', {}, [flow.flow_id]),
          text(flow.strategy_id),
          badge(kind.replace('_', ' '), kind.toLowerCase(), 'failure-kind'),
          el('code', {}, [text(flow.error_details?.error_code)]),
          el('span', { class: 'reason' }, [text(flow.reason ?? flow.error_details?.error_message)]),
        ]),
      );
      row.addEventListener('click', () => this.#select(flow.flow_id));
      return row;
    });
    fill(this.#body, [table(['stopped', 'flow', 'strategy', 'kind', 'code', 'reason'], rows, 'No failed execution.')]);
  }
}
