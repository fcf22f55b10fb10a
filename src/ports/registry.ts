/** Flow-scoped resources: registered while a flow runs, disposed at its stop. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

export interface IComponentRegistry {
  register(flowId: string, component: Disposable): void;
  /** Dispose everything registered for the flow (errors are collected, not thrown) and forget the flow. */
  disposeFlow(flowId: string): Promise<readonly unknown[]>;
  /** Number of flows with registered components. */
  size(): number;
}
