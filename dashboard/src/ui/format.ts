/** Display helpers. Decimals arrive as strings and are shown as written (no float rounding of money). */

export function time(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(11, 19);
}

export function dateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function text(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)} ms`;
}

/** The sign of a decimal string, for colouring PnL and slippage: -1, 0 or 1. */
export function sign(value: string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const trimmed = value.trim();
  if (trimmed.startsWith('-')) return /[1-9]/.test(trimmed) ? -1 : 0;
  return /[1-9]/.test(trimmed) ? 1 : 0;
}

/** A ratio in [0, 1] given as a decimal string, as a percentage with one decimal. */
export function percent(ratio: string | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  const value = Number(ratio);
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : ratio;
}
