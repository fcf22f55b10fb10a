import { createHash } from 'node:crypto';
import { stringify as stringifyLossless } from 'lossless-json';
import type { Platform } from '../app/create-platform.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { MAX_DIRECTIVE_BYTES, parseDirective } from '../domain/directive.js';
import type { DirectiveSubmission, FlowCompletionDTO } from '../domain/dto.js';
import { errorMessage, ValidationError } from '../domain/errors.js';
import type { FlowResult } from '../orchestration/plan-execution-orchestrator.js';
import type { FlowRecord } from '../ports/flow-store.js';
import type { ApiIssue } from './api-errors.js';

/** How one directive of a POST stands when the answer is sent. */
export interface HttpFlowStatus {
  readonly flow_id: string;
  readonly directive_id: string;
  /** RUNNING once accepted (durable); with `wait`, how it ended; DUPLICATE when its id was executed before. */
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE';
  readonly final_state?: FlowCompletionDTO['final_state'] | null;
  readonly reason?: string | null;
  readonly error_details?: FlowCompletionDTO['error_details'];
  /** DUPLICATE: the flow that executed this directive_id. */
  readonly original?: FlowRecord | null;
}

export type IntakeAnswer =
  | { readonly kind: 'accepted'; readonly flows: readonly HttpFlowStatus[] }
  | { readonly kind: 'invalid'; readonly issues: readonly ApiIssue[] }
  | { readonly kind: 'full'; readonly retryAfterSeconds: number; readonly pending: number };

export interface HttpIntakeOptions {
  /** server.intake_max_pending: directives received over HTTP and not finished. */
  readonly maxPending: number;
  /** orchestration.plan_execution.concurrency.max_pending_directives: the orchestrator's bound for every source together. */
  readonly orchestratorMaxPending: number;
  readonly clock?: Clock;
}

/** One directive handed to the orchestrator, until its flow ends. */
interface Tracked {
  readonly directiveId: string;
  readonly accepted: Promise<void>;
  readonly ended: Promise<HttpFlowStatus>;
  accept(): void;
  end(status: HttpFlowStatus): void;
  completion: FlowCompletionDTO | null;
}

function track(directiveId: string): Tracked {
  let accept!: () => void;
  let end!: (status: HttpFlowStatus) => void;
  const accepted = new Promise<void>((resolve) => (accept = resolve));
  const ended = new Promise<HttpFlowStatus>((resolve) => (end = resolve));
  return { directiveId, accepted, ended, accept, end, completion: null };
}

type Checked = { readonly ok: true; readonly input: unknown; readonly directiveId: string } | { readonly ok: false; readonly input: unknown; readonly issues: readonly ApiIssue[]; readonly bytes: number | null };

/**
 * POST /api/directives behind the intake every source shares: each directive is published as
 * EXECUTION_DIRECTIVE_READY (source `http`) and the orchestrator validates, journals and runs it;
 * flow_id = directive_id. The HTTP side only adds what a request/response needs: it refuses a
 * batch with an invalid item before anything runs (the invalid items are still submitted, so
 * each is journaled as a failed flow), answers duplicates from the flow store, bounds what it
 * has in flight (429), and waits for each flow's DIRECTIVE_ACCEPTED (durable) or, with `wait`,
 * its stop.
 */
export class HttpIntake {
  readonly #platform: Pick<Platform, 'bus' | 'orchestrator' | 'store'>;
  readonly #maxPending: number;
  readonly #orchestratorMaxPending: number;
  readonly #clock: Clock;
  /** By directive_id: what this intake handed over and has not seen end. */
  readonly #inflight = new Map<string, Tracked>();
  readonly #unsubscribe: (() => void)[];

  constructor(platform: Pick<Platform, 'bus' | 'orchestrator' | 'store'>, options: HttpIntakeOptions) {
    this.#platform = platform;
    this.#maxPending = options.maxPending;
    this.#orchestratorMaxPending = options.orchestratorMaxPending;
    this.#clock = options.clock ?? systemClock;
    const { bus, orchestrator } = platform;
    const onStop = (completion: FlowCompletionDTO): void => {
      const tracked = this.#inflight.get(completion.directive_id ?? completion.flow_id);
      if (tracked) tracked.completion = completion;
    };
    const ids = [
      bus.subscribe('DIRECTIVE_ACCEPTED', (accepted) => {
        if (accepted.source.kind === 'http') this.#inflight.get(accepted.directive_id)?.accept();
      }),
      bus.subscribe('_flow_stop_success', onStop),
      bus.subscribe('_flow_stop_error', onStop),
    ];
    const offResult = orchestrator.onResult((result) => this.#ended(result));
    this.#unsubscribe = [...ids.map((id) => () => bus.unsubscribe(id)), offResult];
  }

  /** Directives handed over and not finished. */
  get pending(): number {
    return this.#inflight.size;
  }

  async submit(items: readonly unknown[], options: { readonly wait?: boolean } = {}): Promise<IntakeAnswer> {
    const checked = items.map(check);
    const invalid = checked.filter((c): c is Extract<Checked, { ok: false }> => !c.ok);
    if (invalid.length > 0) {
      // invariant 6: refused input is journaled as a failed flow; nothing of the batch executes
      for (const item of invalid) this.#publish(item.input, item.bytes === null ? undefined : { bytes: item.bytes, sha256: sha256(item.input) });
      return { kind: 'invalid', issues: invalid.flatMap((c) => c.issues) };
    }
    const valid = checked as Extract<Checked, { ok: true }>[];
    const { orchestrator, store } = this.#platform;
    // both bounds: this intake's own, and the orchestrator's (shared with every other source)
    if (this.#inflight.size + valid.length > this.#maxPending || orchestrator.pending + valid.length > this.#orchestratorMaxPending) {
      return { kind: 'full', retryAfterSeconds: 1, pending: this.#inflight.size };
    }
    // what the flow store already knows, read before anything is handed over
    const known = await Promise.all(valid.map((c) => store.flows.get(c.directiveId)));
    const answers: (Promise<HttpFlowStatus> | HttpFlowStatus)[] = [];
    const seen = new Map<string, Tracked>();
    valid.forEach((item, index) => {
      const id = item.directiveId;
      const earlier = seen.get(id) ?? this.#inflight.get(id);
      const original = known[index];
      if (earlier !== undefined || original !== undefined) {
        answers.push(duplicateOf(id, original ?? null));
        return;
      }
      const tracked = track(id);
      seen.set(id, tracked);
      this.#inflight.set(id, tracked);
      this.#publish(item.input);
      answers.push(options.wait ? tracked.ended : Promise.race([tracked.accepted.then(() => running(id)), tracked.ended]));
    });
    return { kind: 'accepted', flows: await Promise.all(answers) };
  }

  dispose(): void {
    for (const off of this.#unsubscribe) off();
  }

  #publish(input: unknown, oversize?: DirectiveSubmission['oversize']): void {
    const submission: DirectiveSubmission = { input, source: { kind: 'http' }, received_at: this.#clock.now(), ...(oversize ? { oversize } : {}) };
    this.#platform.bus.publish('EXECUTION_DIRECTIVE_READY', submission);
  }

  #ended(result: FlowResult): void {
    const id = result.directive_id ?? result.flow_id;
    const tracked = this.#inflight.get(id);
    if (tracked === undefined) return;
    this.#inflight.delete(id);
    if (result.outcome === 'DUPLICATE') {
      // another source executed it first: the record says how
      void this.#platform.store.flows.get(id).then(
        (original) => tracked.end(duplicateOf(id, original ?? null)),
        () => tracked.end(duplicateOf(id, null)),
      );
      return;
    }
    const completion = tracked.completion;
    tracked.end({
      flow_id: result.flow_id,
      directive_id: id,
      status: result.outcome,
      final_state: completion?.final_state ?? (result.outcome === 'SUCCEEDED' ? 'SUCCESS' : 'ERROR'),
      reason: completion?.reason ?? result.reason,
      error_details: completion?.error_details ?? null,
    });
  }
}

const running = (id: string): HttpFlowStatus => ({ flow_id: id, directive_id: id, status: 'RUNNING' });

function duplicateOf(id: string, original: FlowRecord | null): HttpFlowStatus {
  return { flow_id: id, directive_id: id, status: 'DUPLICATE', original };
}

/** JSON text of a decoded body item, numbers as they were sent (lossless). */
const textOf = (input: unknown): string => stringifyLossless(input) ?? '';

function sha256(input: unknown): string {
  return createHash('sha256').update(textOf(input), 'utf8').digest('hex');
}

/** Validate one item with the orchestrator's own parser, so the API refuses exactly what a flow would. */
function check(input: unknown, index: number): Checked {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(textOf(input), 'utf8');
  } catch (error) {
    return { ok: false, input, bytes: null, issues: [{ index, path: '', rule: 'unreadable', message: `cannot be read (${errorMessage(error)})` }] };
  }
  if (bytes > MAX_DIRECTIVE_BYTES) {
    return { ok: false, input, bytes, issues: [{ index, path: '', rule: 'max_size', message: `a directive must be at most ${MAX_DIRECTIVE_BYTES} bytes; this one has ${bytes}` }] };
  }
  try {
    return { ok: true, input, directiveId: parseDirective(input).directive_id };
  } catch (error) {
    const issues = error instanceof ValidationError ? error.issues : [{ path: '', rule: 'invalid', message: errorMessage(error) }];
    return { ok: false, input, bytes: null, issues: issues.map((i) => ({ index, ...i })) };
  }
}
