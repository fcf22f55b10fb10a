import type { Alert } from '../orchestration/ports.js';

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

/** Slack's mrkdwn reserves &, < and > (links, mentions); everything else is literal. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook message: `text` (notifications, old clients) and Block Kit `blocks`. */
export function slackPayload(alert: Alert): { text: string; blocks: unknown[] } {
  const fields = alertFields(alert);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title(alert), 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(alert.message), 3000) } },
  ];
  if (fields.length > 0) {
    blocks.push({ type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: `*${slackEscape(f.name)}*\n${slackEscape(f.value)}` })) });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `planexec · ${slackEscape(alert.timestamp)}` }] });
  return { text: cut(slackEscape(`[${alert.severity.toUpperCase()}] ${alert.code}: ${alert.message}`), 3000), blocks };
}

/** Telegram's HTML parse mode needs only &, < and > escaped, so any text is safe in it. */
function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Telegram refuses messages over 4096 characters. */
const TELEGRAM_MAX = 4096;

/** The text of a Telegram message in HTML parse mode. */
export function telegramText(alert: Alert): string {
  const head = `<b>${htmlEscape(title(alert))}</b>`;
  const lines = alertFields(alert).map((f) => `${htmlEscape(f.name)}: <code>${htmlEscape(f.value)}</code>`);
  const tail = `<i>${htmlEscape(alert.timestamp)}</i>`;
  const frame = [head, ...lines, tail].join('\n').length + 2;
  // cut the message before escaping so no entity (&amp;) is cut in half
  const message = htmlEscape(cut(alert.message, Math.max(100, Math.floor((TELEGRAM_MAX - frame) / 5))));
  return cut([head, message, ...lines, tail].join('\n'), TELEGRAM_MAX);
}
