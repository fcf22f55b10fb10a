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
    // The reason gets a full-width line of its own under its flow: venue messages are long.
    const rows = failed.flatMap((flow) => {
      const kind = failureKind(flow) ?? 'FAILED';
      const attributes = { class: `clickable failure-${kind.toLowerCase()}`, 'data-flow-id': flow.flow_id, 'data-kind': kind };
      const row = el('tr', { ...attributes, 'data-testid': 'failure-row' });
      row.append(
        ...cells([
          time(flow.completed_at ?? flow.started_at),
          el('code', {}, [flow.flow_id]),
          text(flow.strategy_id),
          badge(kind.replace('_', ' '), kind.toLowerCase(), 'failure-kind'),
          el('code', {}, [text(flow.error_details?.error_code)]),
        ]),
      );
      const reason = el('tr', { ...attributes, class: `${attributes.class} reason-row` }, [
        el('td', { colspan: '5', class: 'reason' }, [text(flow.reason ?? flow.error_details?.error_message)]),
      ]);
      for (const tr of [row, reason]) tr.addEventListener('click', () => this.#select(flow.flow_id));
      return [row, reason];
    });
    fill(this.#body, [table(['stopped', 'flow', 'strategy', 'kind', 'code'], rows, 'No failed execution.')]);
  }
}
