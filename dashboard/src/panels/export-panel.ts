import type { ApiClient } from '../api/api-client.js';
import { EXPORT_KINDS, type ExportFormat, type ExportKind } from '../api/types.js';
import { el, fill } from '../ui/dom.js';

/** Export buttons: the file is fetched with the token (a plain link could not send it) and saved from a blob. */
export class ExportPanel {
  readonly #api: ApiClient;
  readonly #message: HTMLElement;
  readonly #from: HTMLInputElement;
  readonly #to: HTMLInputElement;
  readonly #format: HTMLSelectElement;

  constructor(body: HTMLElement, api: ApiClient) {
    this.#api = api;
    this.#message = el('span', { class: 'muted', 'data-testid': 'export-message', role: 'status' });
    this.#from = el('input', { type: 'datetime-local', 'aria-label': 'from (UTC)', title: 'from (UTC)' });
    this.#to = el('input', { type: 'datetime-local', 'aria-label': 'to (UTC)', title: 'to (UTC)' });
    this.#format = el('select', { 'aria-label': 'format', 'data-testid': 'export-format' }, [el('option', { value: 'csv' }, ['CSV']), el('option', { value: 'jsonl' }, ['JSON Lines'])]);
    const buttons = EXPORT_KINDS.map((kind) => {
      const button = el('button', { type: 'button', 'data-testid': `export-${kind}` }, [kind]);
      button.addEventListener('click', () => void this.#download(kind));
      return button;
    });
    fill(body, [el('div', { class: 'export-row' }, [this.#format, 'from', this.#from, 'to', this.#to, ...buttons]), this.#message]);
  }

  async #download(kind: ExportKind): Promise<void> {
    const format = this.#format.value as ExportFormat;
    fill(this.#message, [`Exporting ${kind}…`]);
    try {
      const url = this.#api.url(`/api/export/${kind}`, { format, from: utc(this.#from.value), to: utc(this.#to.value) });
      const response = await this.#api.request(url, { method: 'GET' });
      const blob = await response.blob();
      const name = fileName(response.headers.get('content-disposition')) ?? `planexec-${kind}.${format}`;
      const link = el('a', { href: URL.createObjectURL(blob), download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      fill(this.#message, [`Saved ${name} (${blob.size} bytes).`]);
    } catch (error) {
      fill(this.#message, [`Export failed: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
}

/** The datetime-local inputs are read as UTC, like every time the dashboard shows. */
function utc(local: string): string | undefined {
  return local === '' ? undefined : `${local.length === 16 ? `${local}:00` : local}Z`;
}

export function fileName(disposition: string | null): string | null {
  const match = disposition === null ? null : /filename="?([^";]+)"?/i.exec(disposition);
  return match?.[1] ?? null;
}
