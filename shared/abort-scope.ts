import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The signal that ends the work of the current scope (one cluster's share of an invocation). It travels with the
 * async context rather than through every call from the fan-out over clusters down to the HTTP client, which would
 * thread one parameter through the reconcile core and every ClusterStore method; the client reads it per request.
 */
const scope = new AsyncLocalStorage<AbortSignal>();

export function withAbortSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return scope.run(signal, work);
}

/** The signal of the scope this runs in, if any. */
export function currentAbortSignal(): AbortSignal | undefined {
  return scope.getStore();
}
