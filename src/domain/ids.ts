import { createHash } from 'node:crypto';
import { entropy32 } from './id-entropy.js';

/** Prefixes of generated ids (reference/upstream-domain-model.md §2), plus planexec's own. */
export const IdPrefix = {
  ORDER: 'ORD',
  FILL: 'FIL',
  JOURNAL: 'JRN',
  INVALID_INPUT: 'INV',
  STRATEGY_DIRECTIVE: 'STR',
  SIGNAL: 'SIG',
  RISK: 'RSK',
  EXECUTION_COMMAND: 'EXC',
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

const GENERATED_ID = /^[A-Z]{3}_\d{8}_\d{6}_[0-9a-f]{8}$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `PREFIX_YYYYMMDD_HHMMSS_hash8`: UTC second of generation, then 8 hex of sha256(prefix + iso + 64 random bits). */
export function generateId(prefix: string, nowMs: number = Date.now()): string {
  if (!/^[A-Z]{3}$/.test(prefix)) throw new TypeError(`id prefix must be 3 uppercase letters, got "${prefix}"`);
  const d = new Date(nowMs);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const hash = createHash('sha256').update(`${prefix}${d.toISOString()}${entropy32()}.${entropy32()}`).digest('hex').slice(0, 8);
  return `${prefix}_${date}_${time}_${hash}`;
}

export function isGeneratedId(value: string, prefix?: string): boolean {
  return GENERATED_ID.test(value) && (prefix === undefined || value.startsWith(`${prefix}_`));
}

/** The UTC second embedded in a generated id. */
export function idTimestamp(id: string): Date {
  if (!GENERATED_ID.test(id)) throw new TypeError(`not a generated id: "${id}"`);
  const [, date, time] = id.split('_') as [string, string, string, string];
  return new Date(
    Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +time.slice(0, 2), +time.slice(2, 4), +time.slice(4, 6)),
  );
}

/**
 * Deterministic client order id for one order leg of one directive: a retry or a recovery
 * computes the same id, so the venue sees one order however often we ask. 32 chars at most
 * (Binance allows 36).
 */
export function clientOrderId(directiveId: string, leg: string): string {
  if (!/^[A-Za-z0-9]{1,12}$/.test(leg)) throw new TypeError(`order leg must be 1-12 alphanumerics, got "${leg}"`);
  const digest = createHash('sha256').update(directiveId).digest('hex').slice(0, 16);
  return `PX${digest}-${leg}`;
}

/** Stable flow id for input that is not a valid directive: the same bytes give the same flow. */
export function invalidInputFlowId(rawText: string): string {
  return `${IdPrefix.INVALID_INPUT}_${createHash('sha256').update(rawText).digest('hex').slice(0, 24)}`;
}
