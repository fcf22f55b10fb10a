import { entropy32, onEntropyChange } from './id-entropy.js';
import { IdPrefix } from './ids.js';

/**
 * Journal entry ids in the platform's id format, `JRN_YYYYMMDD_HHMMSS_xxxxxxxx` (isGeneratedId
 * accepts them), made for journal rates: the 8 hex start at a random value each second and then
 * count up, so one writer never repeats an id within a second (random suffixes collide at
 * ~10⁵ ids/s: birthday bound on 32 bits) and an id costs a string concatenation, not a sha256.
 */
export class JournalEntryIds {
  #second = Number.NaN;
  #stem = '';
  #counter = 0;

  /** Forget the current second, so the next id draws a fresh start. */
  reset(): void {
    this.#second = Number.NaN;
  }

  next(nowMs: number): string {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#stem = stem(second * 1000);
      this.#counter = entropy32();
    } else {
      this.#counter = (this.#counter + 1) >>> 0;
    }
    return this.#stem + this.#counter.toString(16).padStart(8, '0');
  }
}

function stem(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-24T10:15:00.000Z
  return `${IdPrefix.JOURNAL}_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}_`;
}

/**
 * The process's one generator: a writer may name an entry before it is appended (a deferred write
 * returns its id at once, so the next entry can point at it), and the store names the others, from
 * the same sequence, so no two entries of one process share an id.
 */
const processIds = new JournalEntryIds();
onEntropyChange(() => processIds.reset());

export function nextJournalEntryId(nowMs: number): string {
  return processIds.next(nowMs);
}
