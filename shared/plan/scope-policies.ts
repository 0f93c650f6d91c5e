import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { type MemorystoreInstance } from '../model/instance.js';
import { parseInstanceName, type InstanceName } from '../products/instance-name.js';
import type { Product } from '../products/registry.js';
import type { InstanceObservation } from './desired-state.js';
import type { Plan } from './plan-types.js';

/**
 * Which instances a deployment answers for, and what a resync may prune: pure policies over plain values, beside the
 * plan they guard. Each takes only the settings it reads.
 */
export interface SyncScope {
  /** MEMORYSTORE_PROJECTS, or MEMORYSTORE_PROJECT alone. */
  readonly projects: readonly string[];
  /**
   * MEMORYSTORE_SCOPE: a folder or organization, every project under which is synced. Which projects those are is
   * the inventory's to say at a resync; an event's project is not checked (only that scope's sink routes to the topic,
   * and the functions may read only instances under it).
   */
  readonly scope?: string;
  /** MEMORYSTORE_LOCATIONS; `-` is every location. */
  readonly locations: readonly string[];
  /** MEMORYSTORE_PRODUCTS */
  readonly products: readonly Product[];
}

/**
 * A listing of the Memorystore APIs: the instances, and the places they could not read (unknown, not gone): a bare
 * location (in any project, as the APIs report them), or a whole project, `projects/P`, whose listing failed.
 */
export interface Listing {
  readonly instances: readonly MemorystoreInstance[];
  readonly unreachable: ReadonlySet<string>;
}

/** How a listing names a project it could not read at all. */
export const unreadProject = (project: string): string => `projects/${project}`;

/** Whether a listing could not read where the instance lives, so its absence from the listing says nothing. */
export const unknownIn = (
  listing: Pick<Listing, 'unreachable'>,
  name: Pick<InstanceName, 'project' | 'location'>,
): boolean => listing.unreachable.has(name.location) || listing.unreachable.has(unreadProject(name.project));

const inLocations = (scope: Pick<SyncScope, 'locations'>, location: string): boolean =>
  scope.locations.includes('-') || scope.locations.includes(location);

/** Instances of other projects or regions can reach the topic (an organisation sink, say); they are not ours. */
export function outOfScope(
  instance: Pick<InstanceName, 'product' | 'project' | 'location'>,
  scope: SyncScope,
): string | undefined {
  if (!scope.products.includes(instance.product))
    return `instance is a ${instance.product} instance, and MEMORYSTORE_PRODUCTS is ${scope.products.join(',')}`;
  if (scope.scope === undefined && !scope.projects.includes(instance.project))
    return `instance is in project ${instance.project}, not MEMORYSTORE_PROJECT(S) ${scope.projects.join(', ')}`;
  if (!inLocations(scope, instance.location))
    return `instance is in ${instance.location}, not in MEMORYSTORE_LOCATIONS`;
  return undefined;
}

/**
 * What a resync reconciles: everything listed, plus every instance we hold objects for that the listing no longer
 * has. Those are gone, unless their region or project could not be read (unknown is not gone) or lies outside the
 * configured projects and locations.
 */
export function resyncScope(
  listing: Listing,
  owned: readonly KubeObject[],
  scope: Pick<SyncScope, 'projects' | 'locations'>,
): InstanceObservation[] {
  const listed = new Map(listing.instances.map((i) => [i.name, i]));
  const managedNames = new Set(owned.map(instanceNameOf).filter((n): n is string => n !== undefined));
  const gone = [...managedNames]
    .filter((n) => !listed.has(n))
    .map(parseInstanceName)
    .filter((n): n is InstanceName => n !== undefined)
    .filter((n) => scope.projects.includes(n.project) && !unknownIn(listing, n) && inLocations(scope, n.location));
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
