import type { ResyncTrigger } from '../audit/audit-record.js';
import type { ClusterTarget } from '../config/settings.js';
import { errorMessage, retriesSoon } from '../errors.js';
import type { Change } from '../plan/plan-types.js';
import { listAll, resync, type InstanceListing, type ResyncOptions } from '../reconcile/resync.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { eachCluster, failedIn } from './each-cluster.js';
import { mergeReports, type ClusterOutcome, type ClustersReport } from './merge-reports.js';

export interface ClustersResult {
  readonly report: ClustersReport;
  /** Each cluster's planned changes with their whole objects, for a readable diff on a terminal. */
  readonly changes: ReadonlyArray<{ readonly cluster: string; readonly changes: readonly Change[] }>;
  /** Set when some cluster could not be synced at all: retryable unless every such failure was permanent. */
  readonly failed?: { readonly message: string; readonly retryable: boolean };
}

/**
 * A resync of every cluster, one after the other: a resync of thousands of instances holds its cluster's objects in
 * memory while it runs, and the functions are sized for one at a time. Memorystore is listed once for all of them. A
 * cluster that fails is reported beside the others, which are synced all the same.
 */
export async function resyncClusters(
  clusters: readonly ClusterTarget[],
  getDeps: (target: ClusterTarget) => Promise<SyncDeps>,
  trigger: ResyncTrigger,
  options: ResyncOptions,
): Promise<ClustersResult> {
  // The instances are the same for every cluster (the clusters differ in mesh layout): one listing serves them all.
  // A cluster planned late against it is no worse off: what it writes for an instance that moved since is read again
  // and synced again (settle.ts), and the instance's own event reconciles it too.
  // A listing that failed is not kept: the next cluster tries again.
  let listing: Promise<InstanceListing> | undefined;
  const listOnce = (deps: SyncDeps) => (): Promise<InstanceListing> =>
    (listing ??= listAll(deps).catch((error: unknown) => {
      listing = undefined;
      throw error;
    }));
  const results = await eachCluster(
    clusters,
    async (target) => {
      const deps = await getDeps(target);
      return resync(deps, trigger, options, listOnce(deps));
    },
    { limit: 1 },
  );
  const outcomes = results.map((r): ClusterOutcome =>
    'value' in r
      ? { cluster: r.cluster, report: r.value.report }
      : { cluster: r.cluster, failed: { error: errorMessage(r.error), retryable: retriesSoon(r.error) } },
  );
  const failures = failedIn(results);
  return {
    report: mergeReports(options.dryRun, outcomes),
    changes: results.flatMap((r) => ('value' in r ? [{ cluster: r.cluster, changes: r.value.changes }] : [])),
    ...(failures.length > 0
      ? {
          failed: {
            message: failures.map((f) => `cluster ${f.cluster}: ${errorMessage(f.error)}`).join('; '),
            retryable: failures.some((f) => retriesSoon(f.error)),
          },
        }
      : {}),
  };
}
