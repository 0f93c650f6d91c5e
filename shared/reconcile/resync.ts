import type { ResyncTrigger } from '../audit/audit-record.js';
import { locationOf, type MemorystoreInstance } from '../model/instance.js';
import { parseInstanceName } from '../products/instance-name.js';
import { pruneGuard, resyncScope, unknownIn, type Listing } from '../plan/scope-policies.js';
import { revokeGuard } from '../plan/access-changes.js';
import { listProjects, type ProjectListings } from './list-projects.js';
import { listScope, readUncovered } from './list-scope.js';
import { readCluster } from './read-cluster.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncResult } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

/**
 * A resync's tries against conflicts: each event that lands while it reads and plans moves the egress gateway Service
 * on, and a resync reads far more than an event, so under a storm of events it loses the race more often. An event
 * that runs out of tries is redelivered; a resync that does answers 503 and waits for the next schedule. With the
 * backoff's 4 s cap, 20 tries keep it going for about half a minute of contention, far within its timeout.
 */
const RESYNC_CONFLICT_TRIES = 20;

export interface ResyncOptions {
  readonly dryRun: boolean;
  /** Apply even a plan that deletes, or revokes access to, more than MAX_PRUNE_FRACTION of the managed instances. */
  readonly force: boolean;
}

/**
 * The Memorystore instances of the deployment's projects and locations, and what the listing missed: locations, and
 * `projects/P` for a project that could not be listed.
 */
export type InstanceListing = Listing & {
  unreachable: Set<string>;
  /** Under MEMORYSTORE_SCOPE: the projects the listings covered (those the inventory found an instance in). */
  projects?: readonly string[];
};

export async function listAll(deps: SyncDeps): Promise<InstanceListing> {
  const { scope } = deps.settings.process;
  const listed: ProjectListings & { projects?: readonly string[] } = scope
    ? await listScope(deps, scope)
    : await listProjects(deps);
  const { pages, unread, projects } = listed;
  const unreachable = new Set([...unread, ...pages.flatMap((p) => p.unreachable.map(locationOf))]);
  const instances: MemorystoreInstance[] = [];
  for (const instance of pages.flatMap((p) => p.instances)) {
    // An aggregated list reports a region it could not read as a placeholder entry, not as an instance.
    if (parseInstanceName(instance.name)) instances.push(instance);
    else unreachable.add(locationOf(instance.name));
  }
  return { instances, unreachable, ...(projects ? { projects } : {}) };
}

/**
 * The instances as listed again, after the resync wrote: one listing whatever their number. An instance in a region
 * the listing could not reach is left out (unknown, not gone).
 */
export const relist =
  (deps: SyncDeps): Reread =>
  async (names) => {
    const listing = await listAll(deps);
    const listed = new Map(listing.instances.map((i) => [i.name, i]));
    return names
      .filter((name) => listed.has(name.full) || !unknownIn(listing, name))
      .map((name) => ({ name, ...(listed.has(name.full) ? { instance: listed.get(name.full)! } : {}) }));
  };

/**
 * `list`: the instances, as a resync over several clusters lists them once for all (they are the same for every
 * cluster); by default they are listed here.
 */
export async function resync(
  deps: SyncDeps,
  trigger: ResyncTrigger,
  options: ResyncOptions,
  list: () => Promise<InstanceListing> = () => listAll(deps),
): Promise<SyncResult> {
  // Records earlier invocations could not publish go out first (they are older than anything this resync records).
  if (!options.dryRun) await deps.audit.flush();
  const view = { kind: 'complete' } as const;
  const [listed, read] = await Promise.all([list(), readCluster(deps, view)]);
  const { projects } = listed;
  // Under a folder or organization, what may be pruned unread is what the listings covered; the rest is read.
  const scope = projects
    ? [
        ...resyncScope(listed, read.owned, { ...deps.settings.process, projects }),
        ...(await readUncovered(deps, { instances: listed.instances, projects }, read.owned)),
      ]
    : resyncScope(listed, read.owned, deps.settings.process);
  const { maxPruneFraction } = deps.settings.process;
  const guard = options.force
    ? {}
    : { guard: pruneGuard(maxPruneFraction), accessGuard: revokeGuard(maxPruneFraction) };
  // Events of instances that change during the resync may finish before it writes what it listed at its start.
  const { unsettled, ...result } = await syncUntilSettled(deps, scope, trigger, {
    dryRun: options.dryRun,
    view,
    read,
    ...guard,
    reread: relist(deps),
    conflictTries: RESYNC_CONFLICT_TRIES,
  });
  // Their own events reconcile them once they settle; the next resync checks.
  if (unsettled.length > 0)
    deps.log.warn(
      { instances: unsettled.slice(0, 10), count: unsettled.length },
      'instances kept changing during the resync; their events will reconcile them',
    );
  return result;
}
