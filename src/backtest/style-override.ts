import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import type { ExecutionStyle } from '../domain/directive.js';

/**
 * A directive line with its NEW_TRADE entry sent as `style`: routing_plan.preferred_execution_style
 * set, and a window (`windowMinutes`) added when the style needs one and the line has none.
 * Lines that are not a NEW_TRADE object (or not JSON) pass unchanged, so validation still reports
 * them as written. Numbers keep their text (lossless), so nothing else of the line changes.
 */
export function withStyle(text: string, style: ExecutionStyle, windowMinutes: number): string {
  let value: unknown;
  try {
    value = parseLossless(text);
  } catch {
    return text;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text;
  const directive = value as Record<string, unknown>;
  if (directive['scope'] !== 'NEW_TRADE') return text;
  const routing = typeof directive['routing_plan'] === 'object' && directive['routing_plan'] !== null ? { ...(directive['routing_plan'] as Record<string, unknown>) } : {};
  routing['preferred_execution_style'] = style;
  if (style === 'SINGLE') {
    // a one-order replay drops what only a window means (it would otherwise keep the line invalid for nothing)
    delete routing['max_execution_window_minutes'];
  } else {
    routing['max_execution_window_minutes'] ??= windowMinutes;
    // a sliced entry cannot be immediate or all-or-nothing: those are the SINGLE replay's
    delete routing['must_complete_immediately'];
    if (routing['time_in_force'] === 'FOK') delete routing['time_in_force'];
  }
  return stringifyLossless({ ...directive, routing_plan: routing }) ?? text;
}
