import type { FlowRecord } from '../api/types.js';

/** The flows the dashboard knows, by id, newest first; bounded so a long session stays light. */
export class FlowBook {
  readonly #flows = new Map<string, FlowRecord>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Add or replace flows (a stop replaces the RUNNING record of the same flow). */
  upsert(flows: Iterable<FlowRecord>): void {
    for (const flow of flows) this.#flows.set(flow.flow_id, flow);
    if (this.#flows.size <= this.#limit) return;
    for (const old of this.newestFirst().slice(this.#limit)) this.#flows.delete(old.flow_id);
  }

  get(flowId: string): FlowRecord | undefined {
    return this.#flows.get(flowId);
  }

  clear(): void {
    this.#flows.clear();
  }

  newestFirst(): FlowRecord[] {
    return [...this.#flows.values()].sort((a, b) => recency(b).localeCompare(recency(a)) || b.flow_id.localeCompare(a.flow_id));
  }
}

function recency(flow: FlowRecord): string {
  // ISO-8601 UTC strings of one format sort as text.
  return new Date(flow.completed_at ?? flow.started_at).toISOString();
}
