import { Counter, Registry } from 'prom-client';
import type { IVenueErrorMetrics } from '../ports/metrics.js';

const UNMAPPED_ERRORS = 'planexec_venue_unmapped_errors_total';

/**
 * Venue errors the connector's error table does not know, by venue and error class: each one is
 * also logged, and a rising count says the table needs a row.
 */
export class VenueErrorMetrics implements IVenueErrorMetrics {
  readonly #registry: Registry;
  readonly #unmapped: Counter<'venue' | 'error_class'>;

  /** `registry`: where the counter is registered (the platform's); default its own. */
  constructor(registry: Registry = new Registry()) {
    this.#registry = registry;
    this.#unmapped = new Counter({
      name: UNMAPPED_ERRORS,
      help: 'Venue errors outside the connector error table, by venue and error class (treated as unknown outcome on writes, transient on reads).',
      labelNames: ['venue', 'error_class'] as const,
      registers: [registry],
    });
  }

  unmappedError(venue: string, errorClass: string): void {
    this.#unmapped.labels({ venue, error_class: errorClass }).inc();
  }

  get registry(): Registry {
    return this.#registry;
  }

  /** Also expose the counter in `registry` (the platform's), beside its other metrics. */
  exposeIn(registry: Registry): void {
    if (registry !== this.#registry && registry.getSingleMetric(UNMAPPED_ERRORS) === undefined) registry.registerMetric(this.#unmapped);
  }

  /** The count so far for one venue and class. */
  async unmappedCount(venue: string, errorClass: string): Promise<number> {
    const metric = await this.#unmapped.get();
    return metric.values.find((v) => v.labels.venue === venue && v.labels.error_class === errorClass)?.value ?? 0;
  }
}
