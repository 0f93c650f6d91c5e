/**
 * An event whose audit entry names a product and a location but not the instance (a trimmed request, a last entry
 * that carries little more than its `@type`): that product's instances in that location are reconciled, as a resync
 * would, and those we hold objects for there that the API no longer lists are pruned.
 */

import type { EventTrigger, ProductLocation } from '../events/parse-audit-event.js';
import { TransientError } from '../errors.js';
import { instanceNameOf } from '../model/k8s-object.js';
import { locationOf, type MemorystoreInstance } from '../model/instance.js';
import { parseInstanceName } from '../products/instance-name.js';
import { pruneGuard, resyncScope } from '../plan/scope-policies.js';
import { readCluster } from './read-cluster.js';
import { reconciledOrRefused, type ReconciledOrRefused } from './reconcile-event.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncReport } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

const inPlace = (where: ProductLocation, name: string | undefined): boolean => {
  const parsed = parseInstanceName(name ?? '');
  return parsed?.product === where.product && parsed.project === where.project && parsed.location === where.location;
};

/** The product's instances in the location, and whether the API could read it at all. */
async function listPlace(
  deps: SyncDeps,
  where: ProductLocation,
): Promise<{ instances: MemorystoreInstance[]; unreachable: Set<string> }> {
  const listing = await deps.instances.list(where.project, where.location);
  const instances = listing.instances.filter((i) => inPlace(where, i.name));
  return { instances, unreachable: new Set(listing.unreachable.map(locationOf)) };
}

const relistPlace =
  (deps: SyncDeps, where: ProductLocation): Reread =>
  async (names) => {
    const { instances, unreachable } = await listPlace(deps, where);
    const listed = new Map(instances.map((i) => [i.name, i]));
    return names
      .filter((name) => listed.has(name.full) || !unreachable.has(name.location))
      .map((name) => ({ name, ...(listed.has(name.full) ? { instance: listed.get(name.full)! } : {}) }));
  };

async function syncPlace(deps: SyncDeps, where: ProductLocation, trigger: EventTrigger): Promise<SyncReport> {
  const view = { kind: 'complete' } as const;
  const [listing, read] = await Promise.all([listPlace(deps, where), readCluster(deps, view)]);
  const owned = read.owned.filter((o) => inPlace(where, instanceNameOf(o)));
  const scope = resyncScope(listing, owned, { projects: [where.project], locations: [where.location] });
  const { report, unsettled } = await syncUntilSettled(deps, scope, trigger, {
    dryRun: false,
    view,
    read,
    // The guard of a resync: a listing that lost most of the location's instances is not believed.
    guard: pruneGuard(deps.settings.process.maxPruneFraction),
    reread: relistPlace(deps, where),
  });
  const place = `${where.product} instances in projects/${where.project}/locations/${where.location}`;
  if (unsettled.length > 0) throw new TransientError(`${place} kept changing while they were reconciled; retrying`);
  const retryable = report.errors.find((e) => e.retryable);
  if (retryable) throw new TransientError(`${retryable.instance}: ${retryable.message}; retrying until it settles`);
  return report;
}

export async function reconcileLocationInCluster(
  deps: SyncDeps,
  where: ProductLocation,
  trigger: EventTrigger,
): Promise<ReconciledOrRefused> {
  const subject = `projects/${where.project}/locations/${where.location}`;
  return reconciledOrRefused(deps, trigger, subject, () => syncPlace(deps, where, trigger));
}
