import type { CloudRedisClient } from '@google-cloud/redis';
import type { FakeMemorystore } from '../harness/memorystore/index.js';
import type { ClusterView } from './cluster-view.js';

/**
 * What an experiment needs of a local deployment, whichever runs it: a test's rig (the functions in the test's
 * process) or a chaos phase's stack (the functions as child processes).
 */
export interface PhaseTarget {
  readonly cluster: ClusterView;
  readonly redis: CloudRedisClient;
  readonly memorystore: FakeMemorystore;
  /** `projects/P/locations/R`: where the experiment's instances are made. */
  readonly parent: string;
  /** Deliveries the event bridge made, with the function's HTTP status. */
  deliveries(): ReadonlyArray<{ readonly messageId: string; readonly status: number }>;
  /** Resolves once every event is delivered and handled and none came for `quietMs`; rejects after `timeoutMs`. */
  quiet(quietMs: number | undefined, timeoutMs: number): Promise<void>;
  /** A resync called by an allowed operator. */
  resync(query?: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Why the deployment did not come to rest, or undefined when it did. */
export function notQuiet(
  target: PhaseTarget,
  quietMs: number | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  return target.quiet(quietMs, timeoutMs).then(
    () => undefined,
    (error: Error) => error.message,
  );
}
