/** One line of a directive file, as read. */
export interface DirectiveLine {
  readonly text: string;
  readonly line: number;
}

/** A directive waiting for its time. atMs null: the line has no readable timestamp; it runs where it stands and validation says why it fails. */
export interface ScheduledDirective {
  readonly text: string;
  readonly line: number | null;
  readonly atMs: number | null;
  readonly directiveId: string | null;
  readonly strategyId: string | null;
}

/** A directive the backtest would not run, with the reason (before the first bar, out of order, after the last bar). */
export interface RefusedDirective {
  readonly line: number | null;
  readonly directiveId: string | null;
  readonly strategyId: string | null;
  readonly atMs: number | null;
  readonly reason: string;
}

/** Reads what scheduling needs from a directive line; the orchestrator validates the rest. */
export function scheduled(text: string, line: number | null): ScheduledDirective {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text, line, atMs: null, directiveId: null, strategyId: null };
  }
  const fields = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  const stamp = typeof fields.timestamp === 'string' ? Date.parse(fields.timestamp) : Number.NaN;
  return {
    text,
    line,
    atMs: Number.isFinite(stamp) ? stamp : null,
    directiveId: typeof fields.directive_id === 'string' ? fields.directive_id : null,
    strategyId: typeof fields.strategy_id === 'string' ? fields.strategy_id : null,
  };
}

/**
 * The directives of a file, in file order, handed out as simulated time reaches them. A file is
 * read as it is consumed (memory stays flat); a directive whose timestamp is before the one of
 * the directive before it is refused as out of order, since it would run in the past.
 */
export class DirectiveSchedule {
  readonly #lines: AsyncIterator<DirectiveLine>;
  readonly #refused: RefusedDirective[];
  #next: ScheduledDirective | undefined;
  #done = false;
  #lastAtMs = Number.NEGATIVE_INFINITY;
  #lastLine: number | null = null;

  constructor(lines: AsyncIterable<DirectiveLine>, refused: RefusedDirective[]) {
    this.#lines = lines[Symbol.asyncIterator]();
    this.#refused = refused;
  }

  /** The next directive due at or before `untilMs` (lines without a timestamp are due at once), or undefined. */
  async takeDue(untilMs: number): Promise<ScheduledDirective | undefined> {
    const next = await this.#peek();
    if (next === undefined || (next.atMs !== null && next.atMs > untilMs)) return undefined;
    this.#next = undefined;
    return next;
  }

  /** Everything not yet handed out, in file order (the bars ended first). */
  async *rest(): AsyncGenerator<ScheduledDirective> {
    for (let next = await this.#peek(); next !== undefined; next = await this.#peek()) {
      this.#next = undefined;
      yield next;
    }
  }

  async #peek(): Promise<ScheduledDirective | undefined> {
    while (this.#next === undefined && !this.#done) {
      const item = await this.#lines.next();
      if (item.done === true) {
        this.#done = true;
        break;
      }
      const candidate = scheduled(item.value.text, item.value.line);
      if (candidate.atMs !== null && candidate.atMs < this.#lastAtMs) {
        this.#refused.push({
          line: candidate.line,
          directiveId: candidate.directiveId,
          strategyId: candidate.strategyId,
          atMs: candidate.atMs,
          reason: `out of order: its timestamp ${new Date(candidate.atMs).toISOString()} is before ${new Date(this.#lastAtMs).toISOString()} of line ${String(this.#lastLine)}`,
        });
        continue;
      }
      if (candidate.atMs !== null) {
        this.#lastAtMs = candidate.atMs;
        this.#lastLine = candidate.line;
      }
      this.#next = candidate;
    }
    return this.#next;
  }
}
