import { el } from '../ui/dom.js';

/**
 * Asks for the API token with a small modal form. Several requests refused at once share one
 * prompt: the form is shown once and every caller gets the same answer.
 */
export class TokenPrompt {
  readonly #host: HTMLElement;
  #pending: Promise<string> | null = null;

  constructor(host: HTMLElement) {
    this.#host = host;
  }

  ask(refused: boolean): Promise<string> {
    this.#pending ??= this.#show(refused).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  #show(refused: boolean): Promise<string> {
    return new Promise((resolve) => {
      const input = el('input', {
        type: 'password',
        name: 'token',
        autocomplete: 'off',
        required: 'required',
        'aria-label': 'API token',
        'data-testid': 'token-input',
      });
      const message = refused
        ? 'The server refused this token. Enter the API token again.'
        : 'This planexec server needs its API token (the value of the environment variable named by server.auth_token_env).';
      const form = el('form', { class: 'token-form', 'data-testid': 'token-form' }, [
        el('h2', {}, ['API token']),
        el('p', { class: refused ? 'token-refused' : 'token-hint', 'data-testid': 'token-message' }, [message]),
        input,
        el('button', { type: 'submit', 'data-testid': 'token-submit' }, ['Open dashboard']),
      ]);
      const overlay = el('div', { class: 'overlay' }, [form]);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (token === '') return;
        overlay.remove();
        resolve(token);
      });
      this.#host.append(overlay);
      input.focus();
    });
  }
}
