import { isTooOld, parseAuditEvent, type IncomingEvent } from '../events/parse-audit-event.js';
import { errorMessage, TransientError } from '../errors.js';
import type { ClusterTarget, Config } from '../config/parse-config.js';
import { outOfScope } from '../plan/scope-policies.js';
import { reconcileInCluster, type ClusterPart } from '../reconcile/reconcile-event.js';
import { reconcileLocationInCluster } from '../reconcile/reconcile-location.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { eachCluster, failedIn, succeededIn, type ClusterResult } from './each-cluster.js';
import { mergeReports, type ClusterOutcome, type ClustersReport } from './merge-reports.js';

export type EventOutcome =
  | { readonly handled: false; readonly reason: string }
  | { readonly handled: true; readonly report: ClustersReport }
  /**
   * A permanent failure in some cluster: acknowledged, since a redelivery would fail alike; logged at ERROR and
   * recorded. `report` holds what the other clusters did.
   */
  | { readonly handled: false; readonly failed: true; readonly reason: string; readonly report: ClustersReport };

/**
 * What the clusters' parts come to. A transient failure anywhere makes Pub/Sub redeliver the event, after every other
 * cluster was reconciled: the redelivery reconciles all of them again, and those already in step find nothing to
 * write, so only the failed ones change. With one cluster, its own error is thrown as it was.
 */
function outcomeOf(results: readonly ClusterResult<ClusterPart>[]): EventOutcome {
  const thrown = failedIn(results);
  if (thrown.length === 1 && results.length === 1) throw thrown[0]!.error;
  if (thrown.length > 0) {
    const failures = thrown.map((f) => `cluster ${f.cluster}: ${errorMessage(f.error)}`).join('; ');
    const done = succeededIn(results).map((r) => r.cluster);
    throw new TransientError(`${failures}; retrying${done.length > 0 ? ` (reconciled in ${done.join(', ')})` : ''}`, {
      cause: thrown[0]!.error,
    });
  }
  const parts = succeededIn(results);
  const report = mergeReports(
    false,
    parts.map((p): ClusterOutcome =>
      'report' in p.value
        ? { cluster: p.cluster, report: p.value.report }
        : { cluster: p.cluster, failed: { error: p.value.permanent, retryable: false } },
    ),
  );
  const permanent = parts.flatMap((p) =>
    'permanent' in p.value ? [`cluster ${p.cluster}: ${p.value.permanent}`] : [],
  );
  return permanent.length > 0
    ? { handled: false, failed: true, reason: permanent.join('; '), report }
    : { handled: true, report };
}

/**
 * The event path. Returning acknowledges the event; throwing makes Pub/Sub redeliver it, which is what a transient
 * failure or an instance that has no endpoint yet needs. Whatever the event says, the instance's real state is read
 * from the Memorystore API: duplicate, late and out-of-order events then do no harm. Every cluster is reconciled,
 * each on its own: one that is down never keeps the others from their change.
 */
export async function reconcileEvent(
  config: Config,
  getDeps: (target: ClusterTarget) => Promise<SyncDeps>,
  event: IncomingEvent,
  now = new Date(),
): Promise<EventOutcome> {
  const decision = parseAuditEvent(event);
  if (decision.action === 'ignore') return { handled: false, reason: decision.reason };
  if (isTooOld(event.time, now, config.eventMaxAgeSeconds)) {
    return {
      handled: false,
      reason: `event of ${event.time} is older than EVENT_MAX_AGE_SECONDS; the scheduled resync will repair`,
    };
  }
  const scopeReason = outOfScope(decision.action === 'reconcile' ? decision.instance : decision.location, config);
  if (scopeReason) return { handled: false, reason: scopeReason };
  // Clients are only needed once the event is known to be ours. An entry that names only a product and a location
  // reconciles that product's instances there.
  const results = await eachCluster(config.clusters, async (target) =>
    decision.action === 'reconcile'
      ? reconcileInCluster(await getDeps(target), decision.instance, decision.trigger)
      : reconcileLocationInCluster(await getDeps(target), decision.location, decision.trigger),
  );
  return outcomeOf(results);
}
