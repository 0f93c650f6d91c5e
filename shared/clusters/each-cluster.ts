import pLimit from 'p-limit';
import { withAbortSignal } from '../abort-scope.js';
import type { ClusterTarget } from '../config/settings.js';
import { TransientError } from '../errors.js';

/**
 * Clusters one invocation works on at once. A deployment keeps a handful in step; the bound keeps a long list from
 * opening connections to all of them at once.
 */
export const CLUSTERS_AT_ONCE = 4;

/** One cluster's part of an invocation: what it returned, or what it threw. */
export type ClusterResult<T> =
  { readonly cluster: string; readonly value: T } | { readonly cluster: string; readonly error: unknown };

/** A cluster that did not finish its share in time: worth another try, once it answers again. */
export class ClusterDeadlineError extends TransientError {}

export const failedIn = <T>(results: readonly ClusterResult<T>[]): Array<{ cluster: string; error: unknown }> =>
  results.flatMap((r) => ('error' in r ? [r] : []));

export const succeededIn = <T>(results: readonly ClusterResult<T>[]): Array<{ cluster: string; value: T }> =>
  results.flatMap((r) => ('value' in r ? [r] : []));

export interface EachClusterOptions {
  readonly limit?: number;
  /**
   * A cluster's share of the invocation, counted from when its work starts: then its requests are aborted and it
   * fails with ClusterDeadlineError, without waiting for work that does not listen to the signal.
   */
  readonly deadlineMs?: number;
}

async function withinDeadline<T>(target: ClusterTarget, deadlineMs: number, work: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ClusterDeadlineError(
        `cluster ${target.name} did not finish within ${deadlineMs / 1000} s (CLUSTER_DEADLINE_SECONDS)`,
      );
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  try {
    return await Promise.race([withAbortSignal(controller.signal, work), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` for every cluster, at most `limit` at once. A cluster that fails (unreachable, refusing, slow past its
 * deadline) never stops or delays the others: its failure is returned beside their results, for the caller to decide.
 */
export async function eachCluster<T>(
  clusters: readonly ClusterTarget[],
  work: (target: ClusterTarget) => Promise<T>,
  { limit = CLUSTERS_AT_ONCE, deadlineMs }: EachClusterOptions = {},
): Promise<Array<ClusterResult<T>>> {
  const bounded = pLimit(limit);
  return Promise.all(
    clusters.map((target) =>
      bounded(async (): Promise<ClusterResult<T>> => {
        try {
          const value =
            deadlineMs === undefined
              ? await work(target)
              : await withinDeadline(target, deadlineMs, () => work(target));
          return { cluster: target.name, value };
        } catch (error) {
          return { cluster: target.name, error };
        }
      }),
    ),
  );
}
