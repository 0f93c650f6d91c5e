import pLimit from 'p-limit';
import type { ClusterTarget } from '../config/parse-config.js';

/**
 * Clusters one invocation works on at once. A deployment keeps a handful in step; the bound keeps a long list from
 * opening connections to all of them at once.
 */
export const CLUSTERS_AT_ONCE = 4;

/** One cluster's part of an invocation: what it returned, or what it threw. */
export type ClusterResult<T> =
  { readonly cluster: string; readonly value: T } | { readonly cluster: string; readonly error: unknown };

export const failedIn = <T>(results: readonly ClusterResult<T>[]): Array<{ cluster: string; error: unknown }> =>
  results.flatMap((r) => ('error' in r ? [r] : []));

export const succeededIn = <T>(results: readonly ClusterResult<T>[]): Array<{ cluster: string; value: T }> =>
  results.flatMap((r) => ('value' in r ? [r] : []));

/**
 * Runs `work` for every cluster, at most `limit` at once. A cluster that fails (unreachable, refusing, slow to time
 * out) never stops or delays the others: its failure is returned beside their results, for the caller to decide.
 */
export async function eachCluster<T>(
  clusters: readonly ClusterTarget[],
  work: (target: ClusterTarget) => Promise<T>,
  limit = CLUSTERS_AT_ONCE,
): Promise<Array<ClusterResult<T>>> {
  const bounded = pLimit(limit);
  return Promise.all(
    clusters.map((target) =>
      bounded(async (): Promise<ClusterResult<T>> => {
        try {
          return { cluster: target.name, value: await work(target) };
        } catch (error) {
          return { cluster: target.name, error };
        }
      }),
    ),
  );
}
