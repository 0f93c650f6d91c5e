import { isTooOld, parseAuditEvent, type EventTrigger, type IncomingEvent } from '../events/parse-audit-event.js';
import { failureRecord } from '../audit/audit-record.js';
import { wasRecorded } from '../audit/audit-writer.js';
import { eachCluster, failedIn, succeededIn, type ClusterResult } from '../clusters/each-cluster.js';
import { mergeReports, type ClusterOutcome, type ClustersReport } from '../clusters/merge-reports.js';
import { acknowledgesEvent, errorMessage, TransientError } from '../errors.js';
import type { InstanceName } from '../model/instance.js';
import type { ClusterTarget, Config } from '../config/parse-config.js';
import { outOfScope } from '../plan/scope-policies.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncReport } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

export type EventOutcome =
  | { readonly handled: false; readonly reason: string }
  | { readonly handled: true; readonly report: ClustersReport }
  /**
   * A permanent failure in some cluster: acknowledged, since a redelivery would fail alike; logged at ERROR and
   * recorded. `report` holds what the other clusters did.
   */
  | { readonly handled: false; readonly failed: true; readonly reason: string; readonly report: ClustersReport };

/** The event's instance as read again: gone when the API no longer has it. */
const rereadOne =
  (deps: SyncDeps): Reread =>
  async (names) =>
    Promise.all(
      names.map(async (name) => {
        const instance = await deps.instances.get(name.full);
        return { name, ...(instance ? { instance } : {}) };
      }),
    );

async function syncToLatestState(deps: SyncDeps, name: InstanceName, trigger: EventTrigger): Promise<SyncReport> {
  const instance = await deps.instances.get(name.full);
  const scope = [{ name, ...(instance ? { instance } : {}) }];
  const { report, unsettled } = await syncUntilSettled(deps, scope, trigger, {
    dryRun: false,
    reread: rereadOne(deps),
  });
  // A redelivery reads the instance afresh; acknowledging now could leave the last write a stale one.
  if (unsettled.length > 0)
    throw new TransientError(`${name.full} kept changing while it was reconciled; retrying until it settles`);
  const retryable = report.errors.find((e) => e.retryable);
  if (retryable) throw new TransientError(`${retryable.instance}: ${retryable.message}; retrying until it settles`);
  return report;
}

/** One cluster's part: its report, or the reason of a permanent failure (recorded); a transient one is thrown. */
type ClusterPart = { readonly report: SyncReport } | { readonly permanent: string };

async function reconcileInCluster(deps: SyncDeps, name: InstanceName, trigger: EventTrigger): Promise<ClusterPart> {
  try {
    return { report: await syncToLatestState(deps, name, trigger) };
  } catch (error) {
    if (!acknowledgesEvent(error)) throw error;
    // A failed write was recorded with its plan already; a failure before any write gets a record of its own.
    const context = {
      id: deps.newId(),
      time: deps.clock.now(),
      trigger,
      ...(deps.clusterName ? { cluster: deps.clusterName } : {}),
    };
    if (!wasRecorded(error)) await deps.audit.write([failureRecord(context, name.full, errorMessage(error))]);
    return { permanent: errorMessage(error) };
  }
}

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
  const scopeReason = outOfScope(decision.instance, config);
  if (scopeReason) return { handled: false, reason: scopeReason };
  // Clients are only needed once the event is known to be ours.
  const results = await eachCluster(config.clusters, async (target) =>
    reconcileInCluster(await getDeps(target), decision.instance, decision.trigger),
  );
  return outcomeOf(results);
}
