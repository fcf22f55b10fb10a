import { createHash } from 'node:crypto';
import { JournalEventType } from '../../domain/enums.js';
import type { JournalFallback } from '../journal-fallback.js';
import type { IJournalWriter, JournalEntryInput } from '../../ports/journal.js';

export interface FallbackReplayReport {
  /** Entries appended to the journal now. */
  readonly replayed: number;
  /** Entries already in the journal (a replay a crash cut short after its append): skipped. */
  readonly already_journaled: number;
  /** Lines that are not an entry (a write torn by a crash, never acknowledged): dropped and logged. */
  readonly malformed: number;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(JournalEventType));

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Replay the journal fallback file into the journal: every entry that is not there yet is
 * appended in ONE atomic append (a crash replays all or none), then the file is emptied durably.
 * Each replayed entry keeps its fields (flow, directive, timestamp, causation) and carries
 * `fallback_entry_id` and `replayed_from_fallback: true` in its body; an entry whose id is
 * already in its flow's journal entries is skipped, so a replay interrupted after the append and
 * before the truncation is harmless. Lines written before ids existed get a content hash as id.
 */
export async function replayFallback(fallback: JournalFallback, journal: IJournalWriter, onMalformed?: (line: unknown) => void): Promise<FallbackReplayReport> {
  const { records, malformed } = await fallback.read();
  if (records.length === 0 && malformed === 0) return { replayed: 0, already_journaled: 0, malformed: 0 };
  const journaled = new Map<string, Set<string>>();
  const inputs: JournalEntryInput[] = [];
  let already = 0;
  let bad = malformed;
  for (const record of records) {
    const input = entryOf(record);
    if (input === null) {
      bad += 1;
      onMalformed?.(record);
      continue;
    }
    let seen = journaled.get(input.flow_id);
    if (!seen) {
      const entries = await journal.read({ flow_id: input.flow_id });
      seen = new Set(entries.map((e) => text(e.body['fallback_entry_id'])).filter((id): id is string => id !== null));
      journaled.set(input.flow_id, seen);
    }
    const id = input.body['fallback_entry_id'] as string;
    if (seen.has(id)) {
      already += 1;
      continue;
    }
    seen.add(id);
    inputs.push(input);
  }
  if (inputs.length > 0) await journal.append(inputs);
  await fallback.clear();
  return { replayed: inputs.length, already_journaled: already, malformed: bad };
}

function entryOf(record: Readonly<Record<string, unknown>>): JournalEntryInput | null {
  const eventType = text(record['event_type']);
  const flowId = text(record['flow_id']);
  const timestamp = text(record['timestamp']);
  const body = record['body'];
  if (eventType === null || !EVENT_TYPES.has(eventType) || flowId === null || timestamp === null) return null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const id = text(record['fallback_entry_id']) ?? `FBK_${createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 24)}`;
  const named = text(record['entry_id']);
  return {
    // the id the flow named it by, when it had one: the causation of the entries after it
    ...(named === null ? {} : { entry_id: named }),
    event_type: eventType as JournalEntryInput['event_type'],
    flow_id: flowId,
    directive_id: text(record['directive_id']),
    strategy_id: text(record['strategy_id']),
    timestamp,
    correlation_id: text(record['correlation_id']) ?? flowId,
    causation_id: text(record['causation_id']),
    body: { ...(body as Record<string, unknown>), fallback_entry_id: id, replayed_from_fallback: true },
  };
}
