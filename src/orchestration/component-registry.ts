import type { Disposable, IComponentRegistry } from '../ports/registry.js';

const NOTHING: readonly unknown[] = Object.freeze([]);
const NOTHING_DONE: Promise<readonly unknown[]> = Promise.resolve(NOTHING);

/**
 * Flow-scoped components and resources (workers, caches, timers, subscriptions) register here
 * while their flow runs; FlowTerminationHandler disposes them at the flow's stop.
 *
 * `disposeFlow` forgets the flow at once (synchronously), then disposes its components in reverse
 * registration order (later ones may depend on earlier ones), one at a time, awaiting async
 * disposers. A failing disposer does not stop the others: errors are collected and returned,
 * never thrown. Synchronous disposers run inside the `disposeFlow` call itself, so a flow made of
 * synchronous resources is fully released before the stop event returns.
 */
export class InMemoryComponentRegistry implements IComponentRegistry {
  readonly #byFlow = new Map<string, Disposable[]>();

  register(flowId: string, component: Disposable): void {
    if (typeof flowId !== 'string' || flowId.length === 0) throw new TypeError('register needs a non-empty flow id');
    if (component === null || typeof component !== 'object' || typeof component.dispose !== 'function') {
      throw new TypeError(`register for flow ${flowId} needs an object with a dispose() method`);
    }
    const list = this.#byFlow.get(flowId);
    if (list === undefined) this.#byFlow.set(flowId, [component]);
    else list.push(component);
  }

  /** Registers a cleanup function (e.g. deleting a cache entry) as a component. */
  registerFn(flowId: string, dispose: () => void | Promise<void>): void {
    if (typeof dispose !== 'function') throw new TypeError(`registerFn for flow ${String(flowId)} needs a function`);
    this.register(flowId, { dispose });
  }

  disposeFlow(flowId: string): Promise<readonly unknown[]> {
    const list = this.#byFlow.get(flowId);
    if (list === undefined) return NOTHING_DONE;
    this.#byFlow.delete(flowId);
    let errors: unknown[] | null = null;
    for (let i = list.length - 1; i >= 0; i--) {
      let result: void | Promise<void>;
      try {
        result = (list[i] as Disposable).dispose();
      } catch (error) {
        (errors ??= []).push(error);
        continue;
      }
      if (isThenable(result)) return disposeRest(list, i, result, errors ?? []);
    }
    return errors === null ? NOTHING_DONE : Promise.resolve(errors);
  }

  /** Number of flows with registered components. */
  size(): number {
    return this.#byFlow.size;
  }

  /** Components registered for one flow (0 when none or already disposed). */
  componentCount(flowId: string): number {
    return this.#byFlow.get(flowId)?.length ?? 0;
  }
}

/** The slow path, taken from the first disposer that returned a promise. */
async function disposeRest(list: readonly Disposable[], index: number, pending: PromiseLike<void>, errors: unknown[]): Promise<readonly unknown[]> {
  try {
    await pending;
  } catch (error) {
    errors.push(error);
  }
  for (let i = index - 1; i >= 0; i--) {
    try {
      await (list[i] as Disposable).dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors.length === 0 ? NOTHING : errors;
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
