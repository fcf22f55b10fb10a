import type { TimelineEntry } from '../api/types.js';

export interface CausalityNode {
  readonly entry: TimelineEntry;
  /** 0 for a root (no parent in this timeline); a child is one deeper than its parent. */
  readonly depth: number;
}

/**
 * Orders a flow's timeline as a tree by causation_id, depth first, siblings by journal seq. An
 * entry whose parent is not in the timeline (another flow's entry, or none) is a root, and a
 * causation cycle, which a sound journal never has, cannot hide entries: each appears once.
 */
export function causalityTree(timeline: readonly TimelineEntry[]): CausalityNode[] {
  const bySeq = [...timeline].sort((a, b) => a.seq - b.seq);
  const ids = new Set(bySeq.map((e) => e.entry_id));
  const children = new Map<string, TimelineEntry[]>();
  const roots: TimelineEntry[] = [];
  for (const entry of bySeq) {
    const parent = entry.causation_id;
    if (parent === null || parent === entry.entry_id || !ids.has(parent)) roots.push(entry);
    else children.set(parent, [...(children.get(parent) ?? []), entry]);
  }
  const out: CausalityNode[] = [];
  const seen = new Set<string>();
  const visit = (entry: TimelineEntry, depth: number): void => {
    if (seen.has(entry.entry_id)) return;
    seen.add(entry.entry_id);
    out.push({ entry, depth });
    for (const child of children.get(entry.entry_id) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // Entries only reachable through a cycle: shown flat at the end rather than dropped.
  for (const entry of bySeq) visit(entry, 0);
  return out;
}
