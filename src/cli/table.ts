import { printable } from '../domain/printable.js';

export interface TableColumn<R> {
  readonly header: string;
  readonly value: (row: R) => string;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
  /** Longer values are cut with an ellipsis. */
  readonly maxWidth?: number;
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** One cell: whitespace runs become one space, other control characters are shown escaped (never sent raw). */
export function cellText(text: string): string {
  return printable(text.replace(/\s+/g, ' '));
}

/**
 * A plain-text table: a header line, then one line per row, columns separated by two spaces.
 * Every cell goes through cellText, so no table can pass a terminal escape sequence through.
 */
export function renderTable<R>(columns: readonly TableColumn<R>[], rows: readonly R[]): string {
  const cells = rows.map((row) => columns.map((c) => cut(cellText(c.value(row)), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
