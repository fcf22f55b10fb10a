import type { EndpointKind, FaultPlan, FaultRule } from './options.js';

export type FaultRejection =
  | { readonly kind: 'rate_limit'; readonly status: 429 | 418; readonly retryAfterSeconds: number }
  | { readonly kind: 'server_error'; readonly status: ServerErrorStatus };

export type ServerErrorStatus = 500 | 502 | 503 | 504;

/** What happens to the answer of a request that took effect. */
export type AfterEffect =
  | { readonly kind: 'withhold'; readonly holdMs: number | null }
  | { readonly kind: 'server_error'; readonly status: ServerErrorStatus };

export interface FaultDecision {
  readonly latencyMs: number;
  /** Refuse before the request takes effect. */
  readonly rejection: FaultRejection | null;
  /** Let the request take effect, then withhold the answer (null hold = until the client gives up) or answer 5xx. */
  readonly afterEffect: AfterEffect | null;
}

/** mulberry32: small, fast and good enough to make fault sequences repeatable per seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Decides the faults of each request from the plan. Each endpoint kind has its own generator and
 * every decision draws the same number of values, so the n-th request of a kind meets the same
 * faults for the same seed whatever the other kinds do.
 */
export class FaultInjector {
  #plan: FaultPlan = {};
  readonly #generators = new Map<EndpointKind, () => number>();
  readonly #seen = new Map<EndpointKind, number>();
  readonly #injected = new Map<EndpointKind, number>();

  constructor(plan: FaultPlan) {
    this.replace(plan);
  }

  get plan(): FaultPlan {
    return this.#plan;
  }

  /** Installs a new plan and restarts every generator from its seed. */
  replace(plan: FaultPlan): void {
    this.#plan = plan;
    this.#generators.clear();
    this.#seen.clear();
    this.#injected.clear();
  }

  rule(kind: EndpointKind): FaultRule {
    return { ...this.#plan.all, ...this.#plan.endpoints?.[kind] };
  }

  decide(kind: EndpointKind): FaultDecision {
    const rule = this.rule(kind);
    const draw = this.#generator(kind);
    const latencyDraw = draw();
    const rateLimitDraw = draw();
    const serverErrorDraw = draw();
    const withholdDraw = draw();
    const serverErrorAfterDraw = draw();
    let latencyMs = 0;
    if (typeof rule.latencyMs === 'number') latencyMs = rule.latencyMs;
    else if (rule.latencyMs) {
      const [min, max] = rule.latencyMs;
      latencyMs = min + Math.floor(latencyDraw * (Math.max(min, max) - min + 1));
    }
    const seen = (this.#seen.get(kind) ?? 0) + 1;
    this.#seen.set(kind, seen);
    const injected = this.#injected.get(kind) ?? 0;
    const armed = seen > (rule.afterRequests ?? 0) && injected < (rule.maxFaults ?? Infinity);
    if (!armed) return { latencyMs, rejection: null, afterEffect: null };
    const serverErrorStatus = rule.serverErrorStatus ?? 503;
    let rejection: FaultRejection | null = null;
    if (rateLimitDraw < (rule.rateLimitRate ?? 0)) {
      rejection = { kind: 'rate_limit', status: rule.rateLimitStatus ?? 429, retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
    } else if (serverErrorDraw < (rule.serverErrorRate ?? 0)) {
      rejection = { kind: 'server_error', status: serverErrorStatus };
    }
    let afterEffect: AfterEffect | null = null;
    if (rejection === null && withholdDraw < (rule.timeoutAfterAcceptRate ?? 0)) {
      afterEffect = { kind: 'withhold', holdMs: rule.timeoutHoldMs ?? null };
    } else if (rejection === null && serverErrorAfterDraw < (rule.serverErrorAfterAcceptRate ?? 0)) {
      afterEffect = { kind: 'server_error', status: serverErrorStatus };
    }
    if (rejection !== null || afterEffect !== null) this.#injected.set(kind, injected + 1);
    return { latencyMs, rejection, afterEffect };
  }

  notFoundWindowMs(kind: EndpointKind): number {
    return this.rule(kind).notFoundAfterCreateMs ?? 0;
  }

  #generator(kind: EndpointKind): () => number {
    let draw = this.#generators.get(kind);
    if (!draw) {
      draw = generator(hash(`${this.#plan.seed ?? 0}:${kind}`));
      this.#generators.set(kind, draw);
    }
    return draw;
  }
}
