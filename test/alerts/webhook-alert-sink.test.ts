import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebhookAlertSink } from '../../src/alerts/webhook-alert-sink.js';
import type { Alert } from '../../src/ports/alerts.js';
import { captureLogger } from './capture-logger.js';
import { closeServersAfterEach } from './local-servers.js';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const ALERT: Alert = {
  severity: 'critical',
  code: 'IN_DOUBT_UNRESOLVED',
  message: 'flow DIR_9 ended IN_DOUBT: order outcome unknown',
  flow_id: 'DIR_9',
  directive_id: 'DIR_9',
  details: { outcome: 'IN_DOUBT', duration_ms: 4000 },
  timestamp: '2026-11-24T10:15:03.000Z',
};

const servers = closeServersAfterEach();

/** A real HTTP server on 127.0.0.1 and an ephemeral port. */
async function startServer(respond: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      respond(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, received };
}

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('WebhookAlertSink', () => {
  it('POSTs the alert as JSON with the configured headers', async () => {
    const { base, received } = await startServer((_req, res) => res.writeHead(204).end());
    const { logger, lines } = captureLogger();
    const sink = new WebhookAlertSink({ url: `${base}/hooks/planexec?channel=ops`, timeoutMs: 2000, headers: { authorization: 'Bearer s3cret', 'x-team': 'execution' }, logger });

    await sink.send(ALERT);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/planexec?channel=ops');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(request?.headers['x-team']).toBe('execution');
    expect(JSON.parse(request?.body ?? '')).toEqual(ALERT);
    expect(lines).toEqual([]);
  });

  it('logs a non-2xx answer with its status and resolves, naming only the origin, never the path, query or header values', async () => {
    const { base } = await startServer((_req, res) => res.writeHead(500).end('internal error'));
    const { logger, lines } = captureLogger();
    const sink = new WebhookAlertSink({ url: `${base}/services/PATHSECRET?token=QUERYSECRET`, timeoutMs: 2000, headers: { authorization: 'Bearer HEADERSECRET' }, logger });

    await expect(sink.send(ALERT)).resolves.toBeUndefined();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ levelName: 'error', status: 500, webhook_url: base, alert_code: 'IN_DOUBT_UNRESOLVED', flow_id: 'DIR_9' });
    expect(lines[0]?.raw).not.toMatch(/PATHSECRET|QUERYSECRET|HEADERSECRET/);
  });

  it('gives up after timeout_ms when the server does not answer, logs it and resolves', async () => {
    const { base, received } = await startServer(() => {
      // never answers
    });
    const { logger, lines } = captureLogger();
    const sink = new WebhookAlertSink({ url: `${base}/slow?key=QUERYSECRET`, timeoutMs: 150, headers: { 'x-api-key': 'HEADERSECRET' }, logger });
    const started = performance.now();

    await expect(sink.send(ALERT)).resolves.toBeUndefined();

    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(5000);
    expect(received).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ levelName: 'error', msg: 'alert webhook delivery failed', timeout_ms: 150, error: { name: 'TimeoutError' } });
    expect(lines[0]?.raw).not.toMatch(/QUERYSECRET|HEADERSECRET/);
  });

  it('logs a refused connection with its code and resolves', async () => {
    const port = await closedPort();
    const { logger, lines } = captureLogger();
    const sink = new WebhookAlertSink({ url: `http://127.0.0.1:${port}/hook?sig=QUERYSECRET`, timeoutMs: 2000, headers: { authorization: 'HEADERSECRET' }, logger });

    await expect(sink.send(ALERT)).resolves.toBeUndefined();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ levelName: 'error', webhook_url: `http://127.0.0.1:${port}`, error: { code: 'ECONNREFUSED' } });
    expect(lines[0]?.raw).not.toMatch(/QUERYSECRET|HEADERSECRET/);
  });

  it('logs an alert that cannot be serialised instead of throwing', async () => {
    const { base, received } = await startServer((_req, res) => res.writeHead(204).end());
    const { logger, lines } = captureLogger();
    const sink = new WebhookAlertSink({ url: `${base}/hook`, timeoutMs: 2000, logger });

    await expect(sink.send({ ...ALERT, details: { size: 10n } })).resolves.toBeUndefined();

    expect(received).toHaveLength(0);
    expect(lines[0]).toMatchObject({ levelName: 'error', error: { name: 'TypeError' } });
  });

  it('classifies failures for the delivery policy: 5xx and 429 retryable with Retry-After, other 4xx not', async () => {
    const answers = [
      { status: 503, headers: { 'retry-after': '7' } },
      { status: 429, headers: { 'retry-after': 'Tue, 24 Nov 2026 10:00:30 GMT' } },
      { status: 404, headers: {} },
    ];
    const { base } = await startServer((_req, res) => {
      const next = answers.shift();
      res.writeHead(next?.status ?? 204, next?.headers ?? {}).end();
    });
    const { logger } = captureLogger();
    const sink = new WebhookAlertSink({ url: `${base}/hook`, timeoutMs: 2000, logger, now: () => Date.UTC(2026, 10, 24, 10, 0, 0) });

    expect(await sink.deliver(ALERT)).toEqual({ ok: false, retryable: true, retryAfterMs: 7000, status: 503, error: null });
    expect(await sink.deliver(ALERT)).toEqual({ ok: false, retryable: true, retryAfterMs: 30_000, status: 429, error: null });
    expect(await sink.deliver(ALERT)).toEqual({ ok: false, retryable: false, retryAfterMs: null, status: 404, error: null });
    expect(await sink.deliver(ALERT)).toEqual({ ok: true });
  });

  it('posts a Slack-compatible message in slack format, masking its own secrets should the alert contain them', async () => {
    const { base, received } = await startServer((_req, res) => res.writeHead(200).end('ok'));
    const { logger } = captureLogger();
    const url = `${base}/services/T000/B000/SLACKSECRET`;
    const sink = new WebhookAlertSink({ url, format: 'slack', timeoutMs: 2000, logger });

    await sink.send({ ...ALERT, message: `webhook ${url} refused` });

    const body = JSON.parse(received[0]?.body ?? '') as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('[CRITICAL] IN_DOUBT_UNRESOLVED: webhook *** refused');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(received[0]?.body).not.toContain('SLACKSECRET');
  });

  it('rejects a bad url or timeout at construction, without echoing the url', () => {
    const { logger } = captureLogger();
    expect(() => new WebhookAlertSink({ url: 'not a url ?token=QUERYSECRET', timeoutMs: 1000, logger })).toThrow(/^webhook alert sink: url is not a valid URL$/);
    expect(() => new WebhookAlertSink({ url: 'ftp://example.com/x', timeoutMs: 1000, logger })).toThrow(/http or https/);
    expect(() => new WebhookAlertSink({ url: 'https://example.com/x', timeoutMs: 0, logger })).toThrow(RangeError);
  });
});
