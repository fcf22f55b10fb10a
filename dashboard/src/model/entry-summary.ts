/** Fields worth a glance in the one-line summary of a journal entry, in the order shown. */
const FIELDS = ['scope', 'action', 'purpose', 'symbol', 'side', 'direction', 'order_type', 'quantity', 'price', 'limit_price', 'stop_price', 'status', 'error_code', 'reason'];
const MAX_TEXT = 120;

/**
 * The one-line summary of a journal entry body: the known fields found at its top level or one
 * object deeper (an ORDER_INTENT carries its order under `order`, DIRECTIVE_ACCEPTED its
 * directive and plans), each once, the top level first. The full body stays one click away.
 */
export function entrySummary(body: Readonly<Record<string, unknown>>): string {
  const found = new Map<string, string>();
  const take = (record: Readonly<Record<string, unknown>>): void => {
    for (const field of FIELDS) {
      const value = record[field];
      if (!found.has(field) && (typeof value === 'string' || typeof value === 'number')) found.set(field, String(value));
    }
  };
  take(body);
  for (const value of Object.values(body)) if (isRecord(value)) take(value);
  for (const value of Object.values(body)) if (isRecord(value)) for (const inner of Object.values(value)) if (isRecord(inner)) take(inner);
  const text = FIELDS.filter((f) => found.has(f))
    .map((f) => `${f}=${found.get(f) ?? ''}`)
    .join(' ');
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
