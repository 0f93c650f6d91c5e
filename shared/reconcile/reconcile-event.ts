/**
 * An event in one cluster: the instance's real state read from the Memorystore API and reconciled until it settles.
 * shared/clusters/event-clusters.ts runs this in every cluster.
 */

import type { EventTrigger } from '../events/parse-audit-event.js';
import { failureRecord } from '../audit/audit-record.js';
import {
  acknowledgesEvent,
  errorMessage,
  PermanentError,
  recordedFailure,
  TransientError,
  wasRecorded,
} from '../errors.js';
import type { InstanceName } from '../products/instance-name.js';
import type { MemorystoreInstance } from '../model/instance.js';
import { readCluster, viewOf } from './read-cluster.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncReport } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

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

async function syncToLatestState(
  deps: SyncDeps,
  name: InstanceName,
  trigger: EventTrigger,
  latest: Promise<MemorystoreInstance | undefined> = deps.instances.get(name.full),
): Promise<SyncReport> {
  // The cluster's objects of the instance are found by its name alone, so they are read while the Memorystore API
  // answers: the event waits for the slower of the two, not their sum. The order does not matter: every write is
  // guarded by the resourceVersion read, and the instance is read again after the writes (syncUntilSettled).
  const [instance, read] = await Promise.all([latest, readCluster(deps, viewOf([name]))]);
  const scope = [{ name, ...(instance ? { instance } : {}) }];
  const { report, unsettled } = await syncUntilSettled(deps, scope, trigger, {
    dryRun: false,
    read,
    reread: rereadOne(deps),
  });
  // A redelivery reads the instance afresh; acknowledging now could leave the last write a stale one.
  if (unsettled.length > 0)
    throw new TransientError(`${name.full} kept changing while it was reconciled; retrying until it settles`);
  // The apiserver refused a write of the instance: a redelivery would be refused alike; its records are in the trail.
  const refused = report.errors.find((e) => e.refusedWrite);
  if (refused) {
    // The refusal as the apiserver worded it, once (its message already names its class).
    throw recordedFailure(new PermanentError(refused.message.replace(/^PermanentError: /, '')));
  }
  const retryable = report.errors.find((e) => e.retryable);
  if (retryable) throw new TransientError(`${retryable.instance}: ${retryable.message}; retrying until it settles`);
  return report;
}

/**
 * One cluster's part of an event: its report, or the reason of a permanent failure (recorded); a transient one is
 * thrown.
 */
export type ReconciledOrRefused = { readonly report: SyncReport } | { readonly permanent: string };

/**
 * `latest`: the event's read of the instance, when it was started before this cluster's clients were ready
 * (clusters/event-clusters.ts); unset, it is read here.
 */
export async function reconcileInCluster(
  deps: SyncDeps,
  name: InstanceName,
  trigger: EventTrigger,
  latest?: Promise<MemorystoreInstance | undefined>,
): Promise<ReconciledOrRefused> {
  return reconciledOrRefused(deps, trigger, name.full, () => syncToLatestState(deps, name, trigger, latest));
}

/**
 * A reconcile's report, or the reason of a permanent failure, recorded against `subject`; a transient one is thrown.
 */
export async function reconciledOrRefused(
  deps: SyncDeps,
  trigger: EventTrigger,
  subject: string,
  reconcile: () => Promise<SyncReport>,
): Promise<ReconciledOrRefused> {
  try {
    return { report: await reconcile() };
  } catch (error) {
    if (!acknowledgesEvent(error)) throw error;
    // A failed write was recorded with its plan already; a failure before any write gets a record of its own.
    const context = {
      id: deps.newId(),
      time: deps.clock.now(),
      trigger,
      ...(deps.clusterName ? { cluster: deps.clusterName } : {}),
    };
    if (!wasRecorded(error)) await deps.audit.write([failureRecord(context, subject, errorMessage(error))]);
    return { permanent: errorMessage(error) };
  }
}
