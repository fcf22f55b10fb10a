/** Lists kept in seq order and sorted as SQLite sorts text, for the in-memory paper store. */

/** Insert keeping `rows` in seq order: an append in practice (seqs come from counters). */
export function insertBySeq<T extends { readonly seq: number }>(rows: T[], row: T): void {
  const last = rows[rows.length - 1];
  if (last === undefined || last.seq < row.seq) {
    rows.push(row);
    return;
  }
  rows.splice(firstAfter(rows, row.seq), 0, row);
}

/** Remove the row with this seq, if there is one. */
export function removeBySeq<T extends { readonly seq: number }>(rows: T[], seq: number): void {
  if (rows[rows.length - 1]?.seq === seq) {
    rows.pop();
    return;
  }
  const at = firstAfter(rows, seq) - 1;
  if (rows[at]?.seq === seq) rows.splice(at, 1);
}

function firstAfter(rows: readonly { readonly seq: number }[], seq: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * SQLite's BINARY collation: UTF-8 byte order, which is code point order. JavaScript compares
 * UTF-16 units, which puts characters beyond U+FFFF (surrogate pairs) before U+E000–U+FFFF.
 */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}
