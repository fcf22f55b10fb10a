import { TRADING_STATES, type TradingState, type TradingStateRecord, type WorkersAnswer } from '../api/types.js';
import { badge, cells, el, fill, table } from '../ui/dom.js';
import { dateTime, text } from '../ui/format.js';

export const REASON_MAX = 500;

export type ChangeState = (state: TradingState, reason: string) => Promise<TradingStateRecord>;

/**
 * The kill switch: the current trading state and a form to change it. A reason is required (it is
 * journaled with who changed it), and HALTED, which denies every new directive but closes, is
 * confirmed first. Below it, every worker the switch applies to (one, or all sharing the store).
 */
export class TradingStatePanel {
  readonly #current: HTMLElement;
  readonly #message: HTMLElement;
  readonly #select: HTMLSelectElement;
  readonly #reason: HTMLInputElement;
  readonly #change: ChangeState;
  readonly #dialogHost: HTMLElement;
  readonly #workers: HTMLElement;

  constructor(body: HTMLElement, dialogHost: HTMLElement, change: ChangeState) {
    this.#change = change;
    this.#dialogHost = dialogHost;
    this.#current = el('div', { class: 'state-current' });
    this.#message = el('p', { class: 'state-message', 'data-testid': 'state-message', role: 'status' });
    this.#select = el('select', { name: 'state', 'aria-label': 'new trading state', 'data-testid': 'state-select' }, TRADING_STATES.map((s) => el('option', { value: s }, [s])));
    this.#reason = el('input', { name: 'reason', type: 'text', maxlength: String(REASON_MAX), placeholder: 'reason (journaled)', 'aria-label': 'reason', 'data-testid': 'state-reason' });
    const form = el('form', { class: 'state-form', 'data-testid': 'state-form' }, [this.#select, this.#reason, el('button', { type: 'submit', 'data-testid': 'state-apply' }, ['Change'])]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
    this.#workers = el('div', { class: 'workers', 'data-testid': 'workers' });
    fill(body, [this.#current, form, this.#message, this.#workers]);
  }

  renderWorkers(answer: WorkersAnswer): void {
    const rows = answer.workers.map((w) =>
      el('tr', { 'data-testid': 'worker-row', class: w.alive ? '' : 'muted' }, cells([
        w.worker_id === answer.this_worker ? `${w.worker_id} (this one)` : w.worker_id,
        w.alive ? 'alive' : 'stopped',
        w.leases,
        dateTime(w.heartbeat_at),
      ])),
    );
    const stream = answer.stream === null ? null : el('p', { class: 'muted' }, [`stream ${answer.stream.name} (${answer.stream.status}): this worker consumes partitions ${answer.stream.partitions.join(', ') || 'none yet'}`]);
    const live = answer.workers.filter((w) => w.alive).length;
    fill(this.#workers, [el('h3', {}, [`Workers: ${live} alive (${answer.mode})`]), table(['worker', 'state', 'leases', 'last heartbeat'], rows, 'no worker'), stream]);
  }

  render(record: TradingStateRecord): void {
    fill(this.#current, [
      badge(record.state, `state-${record.state.toLowerCase()}`, 'trading-state'),
      el('span', { class: 'muted' }, [
        record.changed_at === null ? ' never changed' : ` since ${dateTime(record.changed_at)} by ${text(record.changed_by)}: ${text(record.reason)}`,
      ]),
    ]);
    document.body.dataset['tradingState'] = record.state;
  }

  workersFailed(message: string): void {
    fill(this.#workers, [el('p', { class: 'muted' }, [`Workers not shown: ${message}`])]);
  }

  failed(message: string): void {
    this.#say(`Could not read the trading state: ${message}`, true);
  }

  async #submit(): Promise<void> {
    const state = this.#select.value as TradingState;
    const reason = this.#reason.value.trim();
    if (reason.length === 0 || reason.length > REASON_MAX) {
      this.#say(`reason: required, 1 to ${REASON_MAX} characters (it is journaled with the change)`, true);
      return;
    }
    if (state === 'HALTED' && !(await this.#confirmHalt(reason))) {
      this.#say('Not changed.', false);
      return;
    }
    try {
      this.render(await this.#change(state, reason));
      this.#reason.value = '';
      this.#say(`Trading state is now ${state}.`, false);
    } catch (error) {
      this.#say(`Not changed: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  #confirmHalt(reason: string): Promise<boolean> {
    return new Promise((resolve) => {
      const dialog = el('dialog', { class: 'confirm', 'data-testid': 'confirm-halt' }, [
        el('h2', {}, ['Halt trading?']),
        el('p', {}, ['Every new directive will be DENIED, except CLOSE_EXISTING. Flows already running finish; cancels, closes and recovery go on.']),
        el('p', {}, ['Reason: ', el('em', {}, [reason])]),
      ]);
      const cancel = el('button', { type: 'button', 'data-testid': 'confirm-cancel' }, ['Cancel']);
      const halt = el('button', { type: 'button', class: 'danger', 'data-testid': 'confirm-halt-button' }, ['Halt trading']);
      dialog.append(el('div', { class: 'buttons' }, [cancel, halt]));
      const done = (answer: boolean): void => {
        dialog.close();
        dialog.remove();
        resolve(answer);
      };
      cancel.addEventListener('click', () => done(false));
      halt.addEventListener('click', () => done(true));
      dialog.addEventListener('cancel', () => done(false));
      this.#dialogHost.append(dialog);
      dialog.showModal();
    });
  }

  #say(message: string, isError: boolean): void {
    this.#message.className = isError ? 'state-message error' : 'state-message';
    fill(this.#message, [message]);
  }
}
