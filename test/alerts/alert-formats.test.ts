import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { slackPayload, telegramText } from '../../src/alerts/alert-formats.js';
import { parseRetryAfter } from '../../src/alerts/http-delivery.js';
import { TelegramAlertSink } from '../../src/alerts/telegram-alert-sink.js';
import type { Alert } from '../../src/ports/alerts.js';

const ALERT: Alert = {
  severity: 'critical',
  code: 'PROTECTION_MISSING',
  message: 'trade DIR_7 (BUY 0.015 BTC_USDT) is not protected at the venue: STOP_LOSS (INVALID_ORDER: price <64000> & more)',
  flow_id: 'DIR_7',
  directive_id: 'DIR_7',
  details: { trade_id: 'DIR_7', symbol: 'BTC_USDT', refused: ['STOP_LOSS'], policy: 'flatten', note: null },
  timestamp: '2026-11-24T10:15:03.000Z',
};

describe('Slack format', () => {
  it('has a notification text and blocks: header, message, fields, time; mrkdwn control characters escaped', () => {
    expect(slackPayload(ALERT)).toEqual({
      text: '[CRITICAL] PROTECTION_MISSING: trade DIR_7 (BUY 0.015 BTC_USDT) is not protected at the venue: STOP_LOSS (INVALID_ORDER: price &lt;64000&gt; &amp; more)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '🚨 CRITICAL · PROTECTION_MISSING', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'trade DIR_7 (BUY 0.015 BTC_USDT) is not protected at the venue: STOP_LOSS (INVALID_ORDER: price &lt;64000&gt; &amp; more)' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*flow_id*\nDIR_7' },
            { type: 'mrkdwn', text: '*trade_id*\nDIR_7' },
            { type: 'mrkdwn', text: '*symbol*\nBTC_USDT' },
            { type: 'mrkdwn', text: '*refused*\n["STOP_LOSS"]' },
            { type: 'mrkdwn', text: '*policy*\nflatten' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'planexec · 2026-11-24T10:15:03.000Z' }] },
      ],
    });
  });

  it('keeps every block within Slack’s limits for a huge message and many details', () => {
    const details = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'x'.repeat(5000)]));
    const payload = slackPayload({ ...ALERT, message: 'y'.repeat(10_000), details });
    const blocks = payload.blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    expect(payload.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[1]?.text?.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[2]?.fields?.length).toBeLessThanOrEqual(10);
    expect(Math.max(...(blocks[2]?.fields ?? []).map((f) => f.text.length))).toBeLessThanOrEqual(2000);
  });
});

describe('Telegram format', () => {
  it('is HTML with a bold title, the escaped message, the fields as code and the time', () => {
    expect(telegramText(ALERT)).toBe(
      [
        '<b>🚨 CRITICAL · PROTECTION_MISSING</b>',
        'trade DIR_7 (BUY 0.015 BTC_USDT) is not protected at the venue: STOP_LOSS (INVALID_ORDER: price &lt;64000&gt; &amp; more)',
        'flow_id: <code>DIR_7</code>',
        'trade_id: <code>DIR_7</code>',
        'symbol: <code>BTC_USDT</code>',
        'refused: <code>["STOP_LOSS"]</code>',
        'policy: <code>flatten</code>',
        '<i>2026-11-24T10:15:03.000Z</i>',
      ].join('\n'),
    );
  });

  it('stays within Telegram’s 4096 characters with entities intact', () => {
    const text = telegramText({ ...ALERT, message: '<&>'.repeat(5000), details: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, '&'.repeat(1000)])) });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/<\/i>$/);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.UTC(2026, 10, 24, 10, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

describe('TelegramAlertSink', () => {
  async function botApi(answers: { status: number; body: string }[]) {
    const received: { url: string; body: unknown }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        const answer = answers.shift() ?? { status: 200, body: '{"ok":true,"result":{}}' };
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  }

  it('POSTs {chat_id, text, parse_mode} to {api_base_url}/bot<token>/sendMessage', async () => {
    const api = await botApi([]);
    const sink = new TelegramAlertSink({ botToken: '123456:TOKENSECRET', chatId: -1001234, apiBaseUrl: api.base, timeoutMs: 2000 });
    expect(await sink.deliver(ALERT)).toEqual({ ok: true });
    expect(api.received).toEqual([{ url: '/bot123456:TOKENSECRET/sendMessage', body: { chat_id: -1001234, text: telegramText(ALERT), parse_mode: 'HTML' } }]);
    expect(sink.origin).toBe(api.base);
  });

  it('takes retry_after from a 429 body, refuses to retry a 400, and never puts the token in the message', async () => {
    const api = await botApi([
      { status: 429, body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}}' },
      { status: 400, body: '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}' },
    ]);
    const sink = new TelegramAlertSink({ botToken: '123456:TOKENSECRET', chatId: '@ops', apiBaseUrl: `${api.base}/`, timeoutMs: 2000 });
    expect(await sink.deliver(ALERT)).toEqual({ ok: false, retryable: true, retryAfterMs: 17_000, status: 429, error: null });
    expect(await sink.deliver({ ...ALERT, message: 'token 123456:TOKENSECRET leaked' })).toEqual({ ok: false, retryable: false, retryAfterMs: null, status: 400, error: null });
    expect(JSON.stringify(api.received[1]?.body)).not.toContain('TOKENSECRET');
  });

  it('refuses an empty token or chat and a bad base URL without echoing the token', () => {
    expect(() => new TelegramAlertSink({ botToken: '', chatId: 1, timeoutMs: 1000 })).toThrow('telegram alert sink: botToken must not be empty');
    expect(() => new TelegramAlertSink({ botToken: 'TOKENSECRET', chatId: '', timeoutMs: 1000 })).toThrow('telegram alert sink: chatId must not be empty');
    expect(() => new TelegramAlertSink({ botToken: 'TOKENSECRET', chatId: 1, apiBaseUrl: 'nope', timeoutMs: 1000 })).toThrow(/^telegram alert sink: apiBaseUrl is not a valid URL$/);
  });
});
