/**
 * C0 controls (ESC, BEL, backspace, CR…), DEL and C1 controls. Text from outside (a directive's
 * rationale, a config key, a venue's reject reason) may carry them; on a terminal they would move
 * the cursor, recolour or retitle it, or hide what follows.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text safe to print for people: every control character shown as its JSON escape (`\u001b`),
 * so the terminal shows what was sent instead of obeying it. JSON output needs no such step:
 * JSON.stringify already escapes them.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, escaped);
}
