import { redactSecrets } from '../config/redact.js';
import type { Alert } from '../ports/alerts.js';
import { telegramText } from './alert-formats.js';
import type { AlertTransport, DeliveryResult } from './alert-transport.js';
import { postJson, serialise } from './http-delivery.js';

export interface TelegramAlertSinkOptions {
  readonly botToken: string;
  /** A numeric chat id (negative for groups) or `@channelname`. */
  readonly chatId: string | number;
  /** @default https://api.telegram.org */
  readonly apiBaseUrl?: string;
  readonly timeoutMs: number;
  /** For a Retry-After given as a date. @default Date.now */
  readonly now?: () => number;
}

/**
 * Sends each alert as a Telegram message through the Bot API (`sendMessage`, HTML parse mode).
 * The bot token is part of the request path, so the URL is never logged or put in an error;
 * `origin` (the API's scheme and host) is what logs name.
 */
export class TelegramAlertSink implements AlertTransport {
  readonly name = 'telegram';
  readonly #endpoint: string;
  readonly #origin: string;
  readonly #chatId: string | number;
  readonly #timeoutMs: number;
  readonly #secrets: ReadonlySet<string>;
  readonly #now: () => number;

  constructor(options: TelegramAlertSinkOptions) {
    if (options.botToken.length === 0) throw new TypeError('telegram alert sink: botToken must not be empty');
    if (options.chatId === '') throw new TypeError('telegram alert sink: chatId must not be empty');
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) throw new RangeError('telegram alert sink: timeoutMs must be a positive integer');
    let base: URL;
    try {
      base = new URL(options.apiBaseUrl ?? 'https://api.telegram.org');
    } catch {
      throw new TypeError('telegram alert sink: apiBaseUrl is not a valid URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('telegram alert sink: apiBaseUrl must be http or https');
    const prefix = base.href.endsWith('/') ? base.href : `${base.href}/`;
    this.#endpoint = `${prefix}bot${options.botToken}/sendMessage`;
    this.#origin = base.origin;
    this.#chatId = options.chatId;
    this.#timeoutMs = options.timeoutMs;
    this.#secrets = new Set([options.botToken]);
    this.#now = options.now ?? Date.now;
  }

  get origin(): string {
    return this.#origin;
  }

  async deliver(alert: Alert): Promise<DeliveryResult> {
    const body = serialise({ chat_id: this.#chatId, text: telegramText(alert), parse_mode: 'HTML' });
    if (!body.ok) return body.failure;
    return postJson({
      url: this.#endpoint,
      headers: { 'content-type': 'application/json' },
      body: redactSecrets(body.text, this.#secrets),
      timeoutMs: this.#timeoutMs,
      nowMs: this.#now(),
    });
  }
}
