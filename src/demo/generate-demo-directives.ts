import { Decimal, decimalToWire } from '../domain/decimal.js';
import { BreakoutStrategy, type DemoDirectiveKind } from './breakout-strategy.js';
import { DemoIds } from './demo-ids.js';
import { DEMO_INSTRUMENTS, type DemoInstrument } from './demo-instruments.js';
import { INVALID_KINDS, invalidDirectiveLine } from './invalid-directives.js';
import { mulberry32 } from './prng.js';
import { nextGbmPrice } from './price-path.js';

/** Why a line is in the demo input. INVALID lines must fail; DUPLICATE lines repeat an earlier directive verbatim. */
export type DemoLineKind = DemoDirectiveKind | 'INVALID' | 'DUPLICATE';

/** One simulated minute: the venue's prices move first, then these lines are submitted. */
export interface DemoStep {
  readonly index: number;
  readonly time: string;
  /** symbol → price (decimal text) at this step. */
  readonly prices: Readonly<Record<string, string>>;
  readonly lines: readonly string[];
}

export interface DemoDirectives {
  /** Every line, in submission order (= the steps' lines concatenated): exactly `count` of them. */
  readonly lines: readonly string[];
  /** Parallel to `lines`. */
  readonly kinds: readonly DemoLineKind[];
  readonly steps: readonly DemoStep[];
  /** symbol → its price path, one price per step. */
  readonly prices: Readonly<Record<string, readonly string[]>>;
}

export interface DemoOptions {
  readonly seed: number;
  /** Number of lines to produce. */
  readonly count: number;
  readonly instruments?: readonly DemoInstrument[];
  /** Time of the first step (ms since the epoch); steps are one minute apart. */
  readonly startTimeMs?: number;
  /** Share of invalid lines (default 0.05). */
  readonly invalidRate?: number;
  /** Share of repeated deliveries (default 0.02). */
  readonly duplicateRate?: number;
}

const STEP_MS = 60_000;
const DEFAULT_START = Date.UTC(2026, 10, 24, 10, 0, 0);
/** Valid directives one strategy can emit in one step: one per open trade plus one entry. */
const MAX_BATCH = 3;

/**
 * The demo's input: three breakout strategies trading a seeded synthetic market. A pure function
 * of its options: the same seed gives the same lines, byte for byte.
 */
export function generateDemoDirectives(options: DemoOptions): DemoDirectives {
  const instruments = options.instruments ?? DEMO_INSTRUMENTS;
  const count = Math.max(0, Math.floor(options.count));
  const invalidRate = options.invalidRate ?? 0.05;
  const duplicateRate = options.duplicateRate ?? 0.02;
  const start = options.startTimeMs ?? DEFAULT_START;
  const rng = mulberry32(options.seed);
  const ids = new DemoIds(options.seed);
  const strategies = instruments.map((i) => new BreakoutStrategy(i, rng, ids));
  const current = instruments.map((i) => new Decimal(i.start_price));
  const ticks = instruments.map((i) => new Decimal(i.tick_size));

  const lines: string[] = [];
  const kinds: DemoLineKind[] = [];
  const valid: string[] = [];
  const steps: DemoStep[] = [];
  const paths: Record<string, string[]> = Object.fromEntries(instruments.map((i) => [i.symbol, [] as string[]]));
  const budget = Math.max(0, count - instruments.length);

  const push = (stepLines: string[], line: string, kind: DemoLineKind): void => {
    stepLines.push(line);
    lines.push(line);
    kinds.push(kind);
    if (kind !== 'INVALID' && kind !== 'DUPLICATE') valid.push(line);
  };
  const snapshot = (): Record<string, string> => Object.fromEntries(instruments.map((inst, k) => [inst.symbol, decimalToWire(current[k]!)]));

  const maxSteps = count * 50 + 100;
  let index = 0;
  for (; index < maxSteps && lines.length + MAX_BATCH <= budget; index++) {
    const timeMs = start + index * STEP_MS;
    const stepLines: string[] = [];
    instruments.forEach((instrument, k) => {
      if (index > 0) current[k] = nextGbmPrice(current[k]!, instrument.volatility, rng.normal(), ticks[k]!);
      paths[instrument.symbol]!.push(decimalToWire(current[k]!));
    });
    for (let k = 0; k < strategies.length; k++) {
      if (lines.length + MAX_BATCH > budget) break;
      for (const directive of strategies[k]!.onPrice(index, timeMs, current[k]!)) {
        const line = JSON.stringify(directive.wire);
        push(stepLines, line, directive.kind);
        // an extra line only while the rest of this batch (at most MAX_BATCH valid lines) still fits the budget
        if (lines.length + MAX_BATCH < budget && rng.chance(invalidRate)) {
          const kind = INVALID_KINDS[rng.int(INVALID_KINDS.length)]!;
          push(stepLines, invalidDirectiveLine(kind, instruments[k]!, current[k]!, timeMs, ids, rng), 'INVALID');
        }
        if (lines.length + MAX_BATCH < budget && rng.chance(duplicateRate)) push(stepLines, valid[rng.int(valid.length)]!, 'DUPLICATE');
      }
    }
    steps.push({ index, time: new Date(timeMs).toISOString(), prices: snapshot(), lines: stepLines });
  }

  // End of session: flatten what is open, then late redeliveries (or, with nothing valid yet, bad input) up to `count`.
  const timeMs = start + index * STEP_MS;
  const finalLines: string[] = [];
  strategies.forEach((strategy) => {
    const close = strategy.flatten(timeMs);
    if (close) push(finalLines, JSON.stringify(close.wire), close.kind);
  });
  while (lines.length < count) {
    if (valid.length > 0) push(finalLines, valid[rng.int(valid.length)]!, 'DUPLICATE');
    else {
      const k = rng.int(instruments.length);
      const kind = INVALID_KINDS[rng.int(INVALID_KINDS.length)]!;
      push(finalLines, invalidDirectiveLine(kind, instruments[k]!, current[k]!, timeMs, ids, rng), 'INVALID');
    }
  }
  if (finalLines.length > 0) {
    instruments.forEach((instrument, k) => paths[instrument.symbol]!.push(decimalToWire(current[k]!)));
    steps.push({ index, time: new Date(timeMs).toISOString(), prices: snapshot(), lines: finalLines });
  }
  return { lines, kinds, steps, prices: paths };
}
