import type { EndpointKind, FaultPlan, FaultRule } from './options.js';

export type FaultRejection =
  | { readonly kind: 'rate_limit'; readonly status: 429 | 418; readonly retryAfterSeconds: number }
  | { readonly kind: 'server_error'; readonly status: 503 };

export interface FaultDecision {
  readonly latencyMs: number;
  /** Refuse before the request takes effect. */
  readonly rejection: FaultRejection | null;
  /** Let the request take effect, then withhold the response (null hold = until the client gives up). */
  readonly withhold: { readonly holdMs: number | null } | null;
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
    if (!armed) return { latencyMs, rejection: null, withhold: null };
    let rejection: FaultRejection | null = null;
    if (rateLimitDraw < (rule.rateLimitRate ?? 0)) {
      rejection = { kind: 'rate_limit', status: rule.rateLimitStatus ?? 429, retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
    } else if (serverErrorDraw < (rule.serverErrorRate ?? 0)) {
      rejection = { kind: 'server_error', status: 503 };
    }
    const withhold =
      rejection === null && withholdDraw < (rule.timeoutAfterAcceptRate ?? 0) ? { holdMs: rule.timeoutHoldMs ?? null } : null;
    if (rejection !== null || withhold !== null) this.#injected.set(kind, injected + 1);
    return { latencyMs, rejection, withhold };
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
