/** How one flow ended, as the orchestrator reports it. */
export interface FlowEnding {
  readonly outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE';
  readonly error_code: string | null;
  /** Requested prices / sizes the flow rounded (listed in its causality entry); absent = none. */
  readonly adjustments?: number;
}

/** Counts of flow endings; `processed` = succeeded + failed + in_doubt + duplicates. */
export interface FlowCounts {
  readonly processed: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly in_doubt: number;
  readonly duplicates: number;
  /** Flows with at least one adjusted price or size; informational, not part of processed. */
  readonly adjusted: number;
  /** Error code → flows that ended FAILED or IN_DOUBT with it. */
  readonly failures_by_reason: Readonly<Record<string, number>>;
}

/** Adds up flow endings for a summary. */
export class FlowTally {
  #succeeded = 0;
  #failed = 0;
  #inDoubt = 0;
  #duplicates = 0;
  #adjusted = 0;
  readonly #byReason = new Map<string, number>();

  add(ending: FlowEnding): void {
    if ((ending.adjustments ?? 0) > 0) this.#adjusted += 1;
    switch (ending.outcome) {
      case 'SUCCEEDED':
        this.#succeeded += 1;
        return;
      case 'DUPLICATE':
        this.#duplicates += 1;
        return;
      case 'FAILED':
        this.#failed += 1;
        break;
      case 'IN_DOUBT':
        this.#inDoubt += 1;
        break;
    }
    const code = ending.error_code ?? (ending.outcome === 'IN_DOUBT' ? 'IN_DOUBT' : 'UNKNOWN');
    this.#byReason.set(code, (this.#byReason.get(code) ?? 0) + 1);
  }

  get processed(): number {
    return this.#succeeded + this.#failed + this.#inDoubt + this.#duplicates;
  }

  counts(): FlowCounts {
    const reasons = [...this.#byReason.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return {
      processed: this.processed,
      succeeded: this.#succeeded,
      failed: this.#failed,
      in_doubt: this.#inDoubt,
      duplicates: this.#duplicates,
      adjusted: this.#adjusted,
      failures_by_reason: Object.fromEntries(reasons),
    };
  }
}
