import { hash } from 'node:crypto';
import type { JournalVerifyResult } from '../ports/journal.js';

/**
 * The journal's hash chain, shared by every store: each entry's hash is
 * sha256(prev_hash + JSON of its other fields in a fixed key order, with the body text spliced in as stored),
 * the first entry's prev_hash is 64 zeros. Stores keep `body` as the exact text it was hashed from (src/store/body-json.ts), so verifying needs no re-serialising.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry as stored: every hashed field, with the body as its stored JSON text. */
export interface StoredJournalRow {
  readonly seq: number;
  readonly entry_id: string;
  readonly event_type: string;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly timestamp: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  /** The body's JSON text, as hashed. */
  readonly body: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export type HashedFields = Omit<StoredJournalRow, 'prev_hash' | 'hash'>;

/** The chain's tip as the store records it. */
export interface JournalHead {
  readonly seq: number;
  readonly hash: string;
}

const q = JSON.stringify;

/** Canonical JSON of the hashed fields (keys in sorted order, body spliced in verbatim). */
export function hashedText(f: HashedFields): string {
  return (
    `{"body":${f.body},"causation_id":${q(f.causation_id)},"correlation_id":${q(f.correlation_id)},` +
    `"directive_id":${q(f.directive_id)},"entry_id":${q(f.entry_id)},"event_type":${q(f.event_type)},` +
    `"flow_id":${q(f.flow_id)},"seq":${q(f.seq)},"strategy_id":${q(f.strategy_id)},"timestamp":${q(f.timestamp)}}`
  );
}

export function entryHash(prevHash: string, fields: HashedFields): string {
  return hash('sha256', prevHash + hashedText(fields), 'hex');
}

/**
 * Walks a journal in seq order, one row at a time (flat memory), and stops at the first break:
 * a seq gap (an entry removed), a prev_hash that is not the previous entry's hash (chain cut or
 * re-linked), a hash that does not match the entry's fields (altered), or — at the end — a head
 * that does not point at the last entry (tail removed, or entries added behind the writer's back).
 */
export class JournalChainVerifier {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #entries = 0;
  #bad: { readonly seq: number; readonly reason: string } | undefined;

  /** Check the next row; false once a break has been found (the caller may stop reading). */
  push(row: StoredJournalRow): boolean {
    if (this.#bad) return false;
    if (row.seq !== this.#expectedSeq) {
      const reason =
        row.seq > this.#expectedSeq
          ? `entries ${this.#expectedSeq}..${row.seq - 1} are missing (seq gap before ${row.seq})`
          : `seq ${row.seq} out of order (expected ${this.#expectedSeq})`;
      this.#bad = { seq: this.#expectedSeq, reason };
      return false;
    }
    if (row.prev_hash !== this.#prevHash) {
      this.#bad = { seq: row.seq, reason: `prev_hash does not match the hash of entry ${row.seq - 1}` };
      return false;
    }
    if (entryHash(row.prev_hash, row) !== row.hash) {
      this.#bad = { seq: row.seq, reason: `entry ${row.seq} was altered (hash does not match its fields)` };
      return false;
    }
    this.#entries += 1;
    this.#expectedSeq = row.seq + 1;
    this.#prevHash = row.hash;
    return true;
  }

  /** The verdict, given the head the store recorded. */
  finish(head: JournalHead): JournalVerifyResult {
    const entries = this.#entries;
    if (this.#bad) return { ok: false, entries, first_bad_seq: this.#bad.seq, reason: this.#bad.reason };
    const lastSeq = this.#expectedSeq - 1;
    if (head.seq > lastSeq) {
      return { ok: false, entries, first_bad_seq: lastSeq + 1, reason: `entries ${lastSeq + 1}..${head.seq} are missing (journal ends before its head)` };
    }
    if (head.seq < lastSeq) {
      return { ok: false, entries, first_bad_seq: head.seq + 1, reason: `entries after the head (seq ${head.seq}) were added outside the journal writer` };
    }
    if (head.hash !== this.#prevHash) {
      return { ok: false, entries, first_bad_seq: Math.max(1, lastSeq), reason: `head hash does not match entry ${lastSeq}` };
    }
    return { ok: true, entries };
  }
}
