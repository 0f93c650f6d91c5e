import type { ResyncTrigger } from '../audit/audit-record.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { locationOf, parseInstanceName, type InstanceName, type MemorystoreInstance } from '../model/instance.js';
import type { InstanceObservation } from '../plan/desired-state.js';
import type { Plan } from '../plan/plan-types.js';
import { readCluster } from './read-cluster.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncResult } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

export interface ResyncOptions {
  readonly dryRun: boolean;
  /** Apply even a plan that deletes more than MAX_PRUNE_FRACTION of the managed instances. */
  readonly force: boolean;
}

interface Listing {
  readonly instances: MemorystoreInstance[];
  readonly unreachable: Set<string>;
}

async function listAll(deps: SyncDeps): Promise<Listing> {
  const { config } = deps;
  const pages = await Promise.all(config.locations.map((location) => deps.instances.list(config.project, location)));
  const unreachable = new Set(pages.flatMap((p) => p.unreachable.map(locationOf)));
  const instances: MemorystoreInstance[] = [];
  for (const instance of pages.flatMap((p) => p.instances)) {
    // An aggregated list reports a region it could not read as a placeholder entry, not as an instance.
    if (parseInstanceName(instance.name)) instances.push(instance);
    else unreachable.add(locationOf(instance.name));
  }
  return { instances, unreachable };
}

/**
 * Everything listed, plus every instance we hold objects for that the listing no longer has: those are gone, unless
 * their region was unreachable (unknown is not gone) or lies outside the configured project and locations.
 */
export function resyncScope(listing: Listing, owned: readonly KubeObject[], config: SyncDeps['config']): InstanceObservation[] {
  const listed = new Map(listing.instances.map((i) => [i.name, i]));
  const managedNames = new Set(owned.map(instanceNameOf).filter((n): n is string => n !== undefined));
  const gone = [...managedNames]
    .filter((n) => !listed.has(n))
    .map(parseInstanceName)
    .filter((n): n is InstanceName => n !== undefined)
    .filter((n) => n.project === config.project && !listing.unreachable.has(n.location))
    .filter((n) => config.locations.includes('-') || config.locations.includes(n.location));
  return [
    ...[...listed.values()].map((instance) => ({ name: parseInstanceName(instance.name)!, instance })),
    ...gone.map((name) => ({ name })),
  ];
}

/** Refuses a plan that would delete the objects of more than the allowed share of managed instances. */
export function pruneGuard(maxFraction: number): (plan: Plan, owned: readonly KubeObject[]) => string | undefined {
  return (plan, owned) => {
    const managed = new Set(owned.map(instanceNameOf)).size;
    const deleting = new Set(plan.changes.filter((c) => c.action === 'delete' && c.instance).map((c) => c.instance));
    if (managed === 0 || deleting.size / managed <= maxFraction) return undefined;
    return `plan deletes the objects of ${deleting.size} of ${managed} managed instances, more than MAX_PRUNE_FRACTION ${maxFraction}; nothing was changed. Check the Memorystore API answer, then call again with force=true to apply.`;
  };
}

/**
 * The instances as listed again, after the resync wrote: one listing whatever their number. An instance in a region
 * the listing could not reach is left out (unknown, not gone).
 */
const relist = (deps: SyncDeps): Reread => async (names) => {
  const listing = await listAll(deps);
  const listed = new Map(listing.instances.map((i) => [i.name, i]));
  return names
    .filter((name) => listed.has(name.full) || !listing.unreachable.has(name.location))
    .map((name) => ({ name, ...(listed.has(name.full) ? { instance: listed.get(name.full)! } : {}) }));
};

export async function resync(deps: SyncDeps, trigger: ResyncTrigger, options: ResyncOptions): Promise<SyncResult> {
  // Records earlier invocations could not publish go out first (they are older than anything this resync records).
  if (!options.dryRun) await deps.audit.flush();
  const view = { kind: 'complete' } as const;
  const [listing, read] = await Promise.all([listAll(deps), readCluster(deps, view)]);
  const scope = resyncScope(listing, read.owned, deps.config);
  const guard = options.force ? {} : { guard: pruneGuard(deps.config.maxPruneFraction) };
  // Events of instances that change during the resync may finish before it writes what it listed at its start.
  const { unsettled, ...result } = await syncUntilSettled(deps, scope, trigger, { dryRun: options.dryRun, view, read, ...guard, reread: relist(deps) });
  // Their own events reconcile them once they settle; the next resync checks.
  if (unsettled.length > 0) deps.log.warn({ instances: unsettled.slice(0, 10), count: unsettled.length }, 'instances kept changing during the resync; their events will reconcile them');
  return result;
}
