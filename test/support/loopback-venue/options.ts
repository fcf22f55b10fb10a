import { z } from 'zod';

/**
 * Configuration of the loopback venue. Every amount is a decimal string (as on the wire), so a
 * config file round-trips exactly and nothing passes through a float.
 */

const decimalText = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: 'must be a non-negative decimal, e.g. "0.01"' });

export const instrumentConfigSchema = z.object({
  symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'symbol must be upper-case letters/digits, e.g. "BTCUSDT"'),
  base: z.string().min(1),
  quote: z.string().min(1),
  tickSize: decimalText,
  stepSize: decimalText,
  minQty: decimalText,
  maxQty: decimalText,
  minNotional: decimalText,
  minPrice: decimalText.optional(),
  maxPrice: decimalText.optional(),
  /** Starting price (last trade price; bid = ask = price). */
  price: decimalText,
});
export type InstrumentConfig = z.infer<typeof instrumentConfigSchema>;

const latencySchema = z.union([z.number().int().min(0), z.tuple([z.number().int().min(0), z.number().int().min(0)])]);
const rate = z.number().min(0).max(1);

export const faultRuleSchema = z.object({
  /** Delay before the request is handled: fixed ms or a [min, max] range drawn from the seeded generator. */
  latencyMs: latencySchema.optional(),
  /** Share of requests answered 5xx before they take effect. */
  serverErrorRate: rate.optional(),
  /**
   * Share of requests that take effect and are then answered 5xx: Binance says a 5xx leaves the
   * outcome unknown, and this is the case that proves it.
   */
  serverErrorAfterAcceptRate: rate.optional(),
  /** Status of both server-error faults (default 503). */
  serverErrorStatus: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
  /** Share of requests refused with 429 (or 418) and Retry-After before they take effect. */
  rateLimitRate: rate.optional(),
  rateLimitStatus: z.union([z.literal(429), z.literal(418)]).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Share of requests that take effect (or are refused) and whose response is then withheld. */
  timeoutAfterAcceptRate: rate.optional(),
  /** How long a withheld response holds the socket before destroying it (default: until the client gives up). */
  timeoutHoldMs: z.number().int().min(0).optional(),
  /** GET order answers -2013 and myTrades hides the order's trades for this long after the order was created. */
  notFoundAfterCreateMs: z.number().int().min(0).optional(),
  /** The first this-many requests of the kind get no rejection or withheld answer (latency still applies). */
  afterRequests: z.number().int().min(0).optional(),
  /** At most this many rejections / withheld answers for the kind; then the rule goes quiet. */
  maxFaults: z.number().int().min(0).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const ENDPOINT_KINDS = [
  'public',
  'placeOrder',
  'getOrder',
  'cancelOrder',
  'openOrders',
  'allOrders',
  'myTrades',
  'account',
] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const faultPlanSchema = z.object({
  seed: z.number().int().optional(),
  /** Applies to every endpoint kind; an entry in `endpoints` overrides it field by field. */
  all: faultRuleSchema.optional(),
  endpoints: z.partialRecord(z.enum(ENDPOINT_KINDS), faultRuleSchema).optional(),
});
export type FaultPlan = z.infer<typeof faultPlanSchema>;

export const venueConfigSchema = z.object({
  instruments: z.array(instrumentConfigSchema).min(1).optional(),
  /** Starting balances, asset -> free amount. */
  balances: z.record(z.string(), decimalText).optional(),
  /** Commission rate on every fill, paid in the asset received. */
  commissionRate: decimalText.optional(),
  /** Taker fills of more than `aboveQuantity` are split into `parts` trades. */
  splitFills: z.object({ aboveQuantity: decimalText, parts: z.number().int().min(2) }).optional(),
  /** A final order's client id is still refused as a duplicate for this long after creation. */
  duplicateWindowMs: z.number().int().min(0).optional(),
  /** When set, only these API keys are accepted (-2015 otherwise); any non-empty key is accepted when unset. */
  apiKeys: z.array(z.string().min(1)).optional(),
  faults: faultPlanSchema.optional(),
  /** Most recent requests kept in the request log. */
  requestLogLimit: z.number().int().min(0).optional(),
});
export type VenueConfig = z.input<typeof venueConfigSchema>;

export const DEFAULT_INSTRUMENTS: InstrumentConfig[] = [
  {
    symbol: 'BTCUSDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    minNotional: '5',
    price: '65000',
  },
  {
    symbol: 'ETHUSDT',
    base: 'ETH',
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '9000',
    minNotional: '5',
    price: '3500',
  },
];

export interface ResolvedVenueConfig {
  readonly instruments: InstrumentConfig[];
  readonly balances: Record<string, string>;
  readonly commissionRate: string;
  readonly splitFills: { aboveQuantity: string; parts: number } | null;
  readonly duplicateWindowMs: number;
  readonly apiKeys: string[] | null;
  readonly faults: FaultPlan;
  readonly requestLogLimit: number;
}

/** Validates a config (reporting every problem with its field) and fills in the defaults. */
export function resolveVenueConfig(input: VenueConfig = {}): ResolvedVenueConfig {
  const parsed = venueConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`invalid loopback venue config: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  return {
    instruments: config.instruments ?? DEFAULT_INSTRUMENTS,
    balances: config.balances ?? { USDT: '100000' },
    commissionRate: config.commissionRate ?? '0.001',
    splitFills: config.splitFills ?? null,
    duplicateWindowMs: config.duplicateWindowMs ?? 0,
    apiKeys: config.apiKeys ?? null,
    faults: config.faults ?? {},
    requestLogLimit: config.requestLogLimit ?? 10_000,
  };
}

export function parseFaultPlan(input: unknown): FaultPlan {
  const parsed = faultPlanSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`invalid fault plan: ${problems.join('; ')}`);
  }
  return parsed.data;
}
