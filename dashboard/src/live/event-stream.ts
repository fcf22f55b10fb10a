import type { ApiClient } from '../api/api-client.js';

/** The named events of GET /api/events. */
export const STREAM_EVENTS = ['flow_stop', 'TRADE_EXECUTED', 'EXECUTION_FAILED', 'order_update', 'trading_state', 'reset'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  event(name: StreamEventName, data: unknown): void;
  status(status: StreamStatus): void;
}

const RETRY_MS = 2_000;

/**
 * The live stream over EventSource. EventSource cannot send an Authorization header, so the token
 * goes as `?access_token=` (the server accepts it on this route only). EventSource reconnects by
 * itself after a network error, sending Last-Event-ID; when the server refuses the stream outright
 * (401, 503) it gives up, so this reopens it after checking the token, resuming from the last id.
 */
export class EventStream {
  readonly #api: ApiClient;
  readonly #handlers: StreamHandlers;
  #source: EventSource | null = null;
  #lastEventId: string | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(api: ApiClient, handlers: StreamHandlers) {
    this.#api = api;
    this.#handlers = handlers;
  }

  open(): void {
    this.#stopped = false;
    this.#handlers.status(this.#lastEventId === null ? 'connecting' : 'reconnecting');
    const token = this.#api.token;
    const url = this.#api.url('/api/events', { access_token: token ?? undefined, last_event_id: this.#lastEventId ?? undefined });
    const source = new EventSource(url);
    this.#source = source;
    source.addEventListener('open', () => this.#handlers.status('live'));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) this.#reopenLater();
      else this.#handlers.status('reconnecting');
    });
    for (const name of STREAM_EVENTS) {
      source.addEventListener(name, (event: MessageEvent<string>) => {
        if (event.lastEventId !== '') this.#lastEventId = event.lastEventId;
        this.#handlers.event(name, parse(event.data));
      });
    }
  }

  close(): void {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#source?.close();
    this.#source = null;
  }

  #reopenLater(): void {
    this.#source?.close();
    this.#source = null;
    this.#handlers.status('reconnecting');
    if (this.#stopped || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      // A refused stream is most often a wrong token: the probe asks for it again before reopening.
      this.#api.ensureToken().then(
        () => {
          if (!this.#stopped) this.open();
        },
        () => this.#reopenLater(),
      );
    }, RETRY_MS);
  }
}

function parse(data: string): unknown {
  if (data === '') return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
