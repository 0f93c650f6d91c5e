/**
 * An event of a MemorystoreAccess declaration written in one cluster (ACCESS_MODE=declared): the access of the
 * instances the declaration's namespace names now, and of those whose live objects say the namespace may reach them,
 * is reconciled there at once, rather than at the next scheduled resync.
 */

import type { EventTrigger } from '../events/parse-audit-event.js';
import { TransientError } from '../errors.js';
import { instancesConcerning } from '../plan/access-changes.js';
import { resolveAccess } from '../plan/resolve-access.js';
import { resyncScope } from '../plan/scope-policies.js';
import { readCluster } from './read-cluster.js';
import { reconciledOrRefused, type ReconciledOrRefused } from './reconcile-event.js';
import { listAll, relist } from './resync.js';
import { syncUntilSettled } from './settle.js';
import type { SyncReport } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

async function syncNamespaceAccess(deps: SyncDeps, namespace: string, trigger: EventTrigger): Promise<SyncReport> {
  const view = { kind: 'complete' } as const;
  const [listing, read] = await Promise.all([listAll(deps), readCluster(deps, view)]);
  const everything = resyncScope(listing, read.owned, deps.settings.process);
  const ofNamespace = (read.declarations?.declarations ?? []).filter((d) => d.namespace === namespace);
  const named = resolveAccess(ofNamespace, listing.instances, {
    trustDomain: deps.settings.process.access.trustDomain,
  }).access;
  const concerned = instancesConcerning(namespace, named, read.owned);
  const scope = everything.filter((o) => concerned.has(o.name.full));
  const { report, unsettled } = await syncUntilSettled(deps, scope, trigger, {
    dryRun: false,
    view,
    read,
    // No revoke guard: a deleted declaration must revoke what it granted within its event, however few instances
    // there are; the guard stops resyncs, whose reads of every declaration at once can go wrong at once.
    reread: relist(deps),
  });
  if (unsettled.length > 0) throw new TransientError(`instances declared by ${namespace} kept changing; retrying`);
  const retryable = report.errors.find((e) => e.retryable);
  if (retryable) throw new TransientError(`${retryable.instance}: ${retryable.message}; retrying until it settles`);
  return report;
}

export async function reconcileAccessInCluster(
  deps: SyncDeps,
  namespace: string,
  trigger: EventTrigger,
): Promise<ReconciledOrRefused> {
  return reconciledOrRefused(deps, trigger, `MemorystoreAccess declarations of namespace ${namespace}`, () =>
    syncNamespaceAccess(deps, namespace, trigger),
  );
}
