import { randomBytes } from 'node:crypto';

/**
 * The randomness in generated ids (journal entry ids, fill ids): crypto-random by default; a
 * seeded sequence while a backtest runs, so the same inputs give the same ids and journal bytes.
 */
let source: () => number = () => randomBytes(4).readUInt32BE(0);
const resets = new Set<() => void>();

/** 32 random bits. */
export function entropy32(): number {
  return source();
}

/** Called whenever the source changes, so generators that cache a draw start over. */
export function onEntropyChange(reset: () => void): void {
  resets.add(reset);
}

/**
 * Draw from a sequence fixed by `seed` until the returned restore runs. One at a time per process:
 * a backtest owns its process's ids while it runs.
 */
export function useSeededEntropy(seed: number): () => void {
  const previous = source;
  let state = seed >>> 0;
  source = () => {
    // splitmix32: a counter through a bijective mix, so the sequence never falls into a short cycle
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  for (const reset of resets) reset();
  return () => {
    source = previous;
    for (const reset of resets) reset();
  };
}
