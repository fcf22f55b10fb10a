/**
 * The NATS subjects of distributed mode (DESIGN.md §6). Directives:
 * `<prefix>.directives.p<k>.<strategyToken>`, one subject per strategy, grouped in partitions so
 * that whoever owns partition k consumes its strategies in stream order. Events:
 * `<prefix>.events.<EVENT_NAME>`. Pure functions; nothing here talks to a server.
 */

const KEPT_BYTE = /^[A-Za-z0-9_-]$/;
const ESCAPE = '~';
const TOKEN = /^(?:[A-Za-z0-9_-]|~[0-9a-f]{2})+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A stream name that lowercases to a subject token (JetStream also refuses `.`, `*`, `>` and spaces). */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over bytes: stable across processes and languages, unlike a runtime hash. */
function fnv1a32(bytes: Uint8Array): number {
  let hash = FNV_OFFSET;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/**
 * `strategyId` as one NATS subject token, reversibly: [A-Za-z0-9_-] stay, every other byte of its
 * UTF-8 becomes `~` and two lowercase hex digits (so `.`, which separates tokens, never appears).
 */
export function strategyToken(strategyId: string): string {
  if (strategyId.length === 0) throw new RangeError('a strategy id is never empty');
  if (LONE_SURROGATE.test(strategyId)) throw new RangeError('a strategy id must be well-formed Unicode (no lone surrogates)');
  let token = '';
  for (const byte of Buffer.from(strategyId, 'utf8')) {
    const char = String.fromCharCode(byte);
    token += byte < 0x80 && KEPT_BYTE.test(char) ? char : `${ESCAPE}${byte.toString(16).padStart(2, '0')}`;
  }
  return token;
}

/** The strategy id a token stands for; throws RangeError for a string `strategyToken` cannot produce. */
export function strategyFromToken(token: string): string {
  if (!TOKEN.test(token)) throw new RangeError(`not a strategy token: ${JSON.stringify(token)}`);
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i += 1) {
    if (token[i] === ESCAPE) {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new RangeError(`not a strategy token (its bytes are not UTF-8): ${JSON.stringify(token)}`);
  }
  // a kept character escaped anyway is another spelling of the same id: only the canonical one is accepted
  if (strategyToken(text) !== token) throw new RangeError(`not the canonical token of ${JSON.stringify(text)}: ${JSON.stringify(token)}`);
  return text;
}

function checkPartitions(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, not ${partitions}`);
}

/** The partition of a strategy: FNV-1a 32 of its UTF-8, modulo `partitions`. */
export function partitionOf(strategyId: string, partitions: number): number {
  checkPartitions(partitions);
  return fnv1a32(Buffer.from(strategyId, 'utf8')) % partitions;
}

/** The subject prefix of a stream: its name lowercased (`PLANEXEC` → `planexec`). */
export function subjectPrefix(stream: string): string {
  if (!STREAM_NAME.test(stream)) throw new RangeError(`a stream name must be 1-64 characters of [A-Za-z0-9_-], not ${JSON.stringify(stream)}`);
  return stream.toLowerCase();
}

/** Where a strategy's directives are published. */
export function directiveSubject(prefix: string, strategyId: string, partitions: number): string {
  return `${prefix}.directives.p${partitionOf(strategyId, partitions)}.${strategyToken(strategyId)}`;
}

/** Every directive subject: the directive stream's subjects. */
export function directivesWildcard(prefix: string): string {
  return `${prefix}.directives.>`;
}

/** The filter of partition k's consumer: every strategy of that partition. */
export function partitionFilter(prefix: string, k: number): string {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`a partition is a non-negative integer, not ${k}`);
  return `${prefix}.directives.p${k}.>`;
}

/** The durable consumer of partition k (underscores: a consumer name has no dots). */
export function partitionConsumerName(prefix: string, k: number): string {
  return `${prefix}_p${k}`;
}

/** Partition and strategy of a directive subject, or null when the subject is not one. */
export function parseDirectiveSubject(prefix: string, subject: string): { readonly partition: number; readonly strategyId: string } | null {
  const head = `${prefix}.directives.p`;
  if (!subject.startsWith(head)) return null;
  const [partition, token, ...extra] = subject.slice(head.length).split('.');
  if (partition === undefined || token === undefined || extra.length > 0 || !/^(?:0|[1-9][0-9]*)$/.test(partition)) return null;
  try {
    return { partition: Number(partition), strategyId: strategyFromToken(token) };
  } catch {
    return null;
  }
}

/** Where an event is mirrored; `name` (TRADE_EXECUTED, …) must be one subject token. */
export function eventSubject(prefix: string, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new RangeError(`an event name must be one subject token of [A-Za-z0-9_-], not ${JSON.stringify(name)}`);
  return `${prefix}.events.${name}`;
}

/** Every event subject: the events stream's subjects. */
export function eventsWildcard(prefix: string): string {
  return `${prefix}.events.>`;
}
