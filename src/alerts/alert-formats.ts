import type { Alert } from '../ports/alerts.js';

/**
 * How an alert reads in chat: one title line (severity and code), the message, the subject and
 * the details as short `key: value` lines, the time. Chat services cap message sizes, so every
 * piece is cut to a limit rather than have the whole message refused.
 */

const MARK = { info: 'ℹ️', warning: '⚠️', critical: '🚨' } as const satisfies Record<Alert['severity'], string>;

/** Details shown in chat; the rest stays in the generic JSON format and the log line. */
const MAX_FIELDS = 8;
const MAX_VALUE_CHARS = 200;

export interface AlertField {
  readonly name: string;
  readonly value: string;
}

export function title(alert: Alert): string {
  return `${MARK[alert.severity] ?? ''} ${alert.severity.toUpperCase()} · ${alert.code}`.trim();
}

/** flow_id, directive_id (when it differs) and the first details, as text. */
export function alertFields(alert: Alert): AlertField[] {
  const fields: AlertField[] = [];
  if (alert.flow_id) fields.push({ name: 'flow_id', value: alert.flow_id });
  if (alert.directive_id && alert.directive_id !== alert.flow_id) fields.push({ name: 'directive_id', value: alert.directive_id });
  for (const [name, value] of Object.entries(alert.details ?? {})) {
    if (fields.length >= MAX_FIELDS) break;
    if (value === null || value === undefined) continue;
    fields.push({ name, value: cut(valueText(value), MAX_VALUE_CHARS) });
  }
  return fields;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The generic webhook format: the alert object itself (see docs/alerts.md). */
export function genericPayload(alert: Alert): Alert {
  return alert;
}

/** Slack's mrkdwn and Telegram's HTML both reserve only &, < and >; everything else is literal. */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escaped and cut so the escaped text is at most `max` characters, never inside an entity. */
function escapedWithin(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    const piece = ENTITIES[char] ?? char;
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

/** A Slack incoming-webhook message: `text` (notifications, old clients) and Block Kit `blocks`. */
export function slackPayload(alert: Alert): { text: string; blocks: unknown[] } {
  const fields = alertFields(alert);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title(alert), 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: escapedWithin(alert.message, 3000) } },
  ];
  if (fields.length > 0) {
    blocks.push({ type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: `*${escapedWithin(f.name, 100)}*\n${escapedWithin(f.value, 1800)}` })) });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `planexec · ${escapedWithin(alert.timestamp, 100)}` }] });
  return { text: escapedWithin(`[${alert.severity.toUpperCase()}] ${alert.code}: ${alert.message}`, 3000), blocks };
}

/** Telegram refuses messages over 4096 characters. */
const TELEGRAM_MAX = 4096;
/** Room the message keeps however many details there are: fields are dropped before it shrinks below this. */
const TELEGRAM_MESSAGE_MIN = 1000;
const TELEGRAM_VALUE_MAX = 300;

/** The text of a Telegram message in HTML parse mode. */
export function telegramText(alert: Alert): string {
  const head = `<b>${escapedWithin(title(alert), 200)}</b>`;
  const tail = `<i>${escapedWithin(alert.timestamp, 100)}</i>`;
  const lines = alertFields(alert).map((f) => `${escapedWithin(f.name, 60)}: <code>${escapedWithin(f.value, TELEGRAM_VALUE_MAX)}</code>`);
  const room = (): number => TELEGRAM_MAX - [head, ...lines, tail].join('\n').length - 1;
  while (lines.length > 0 && room() < TELEGRAM_MESSAGE_MIN) lines.pop();
  return [head, escapedWithin(alert.message, room()), ...lines, tail].join('\n');
}
