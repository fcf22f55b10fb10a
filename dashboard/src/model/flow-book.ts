import type { FlowRecord } from '../api/types.js';

/** The flows the dashboard knows, by id, newest first; bounded so a long session stays light. */
export class FlowBook {
  readonly #flows = new Map<string, { readonly flow: FlowRecord; readonly at: number }>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Add or replace flows (a stop replaces the RUNNING record of the same flow). */
  upsert(flows: Iterable<FlowRecord>): void {
    for (const flow of flows) this.#flows.set(flow.flow_id, { flow, at: Date.parse(flow.completed_at ?? flow.started_at) });
    // Trimmed in steps, not on every stop: a busy stream would otherwise sort the book per event.
    if (this.#flows.size <= this.#limit * 1.25) return;
    for (const old of this.newestFirst().slice(this.#limit)) this.#flows.delete(old.flow_id);
  }

  get size(): number {
    return this.#flows.size;
  }

  clear(): void {
    this.#flows.clear();
  }

  newestFirst(): FlowRecord[] {
    return [...this.#flows.values()].sort((a, b) => b.at - a.at || b.flow.flow_id.localeCompare(a.flow.flow_id)).map((entry) => entry.flow);
  }
}
