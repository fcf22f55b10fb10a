/**
 * The API token lives in session storage: it survives reloads of the tab, not the browser session,
 * and never reaches local storage or a cookie.
 */
const KEY = 'planexec.api_token';

export class TokenStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  get(): string | null {
    return this.#storage.getItem(KEY);
  }

  set(token: string): void {
    this.#storage.setItem(KEY, token);
  }

  clear(): void {
    this.#storage.removeItem(KEY);
  }
}
