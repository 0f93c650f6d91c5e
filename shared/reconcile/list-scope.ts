import { eachBounded } from '../each-bounded.js';
import { errorMessage, PermanentError } from '../errors.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import type { InstanceObservation } from '../plan/desired-state.js';
import { unreadProject } from '../plan/scope-policies.js';
import { parseInstanceName, type InstanceName } from '../products/instance-name.js';
import type { InstanceListing } from '../products/instance-source.js';
import type { Product } from '../products/registry.js';
import { LISTINGS_AT_ONCE, type ProjectListings } from './list-projects.js';
import type { SyncDeps } from './sync-deps.js';

/** A scope's listings, and the projects they cover: those the inventory found an instance in. */
export interface ScopeListings extends ProjectListings {
  readonly projects: readonly string[];
}

/** The products the inventory found in each project: a project is listed for those only. */
export function productsByProject(names: readonly InstanceName[]): Map<string, Product[]> {
  const found = new Map<string, Set<Product>>();
  for (const name of names) found.set(name.project, (found.get(name.project) ?? new Set()).add(name.product));
  return new Map([...found].map(([project, products]) => [project, [...products].sort()]));
}

/**
 * The instances under MEMORYSTORE_SCOPE: Cloud Asset Inventory says which projects hold which products' instances,
 * and each of those products is listed in those projects (in each configured location), at most LISTINGS_AT_ONCE at
 * once. The listings, not the inventory, say what each instance is and whether it still exists: the inventory is
 * indexed some time after a change, and its results carry no endpoints. A project whose listing fails is unknown, as
 * with a list of projects; an instance created since the inventory last indexed its project is listed all the same
 * when its project holds another, else its own event brings it.
 */
export async function listScope(deps: SyncDeps, scope: string): Promise<ScopeListings> {
  const { products, locations } = deps.settings.process;
  if (!deps.instances.discover) throw new PermanentError('MEMORYSTORE_SCOPE is set, but no inventory is served');
  const discovery = await deps.instances.discover(scope, products);
  const names = discovery.names.map(parseInstanceName).filter((n): n is InstanceName => n !== undefined);
  const found = [...productsByProject(names)];
  const listings = found.flatMap(([project, inProject]) =>
    locations.map((location) => ({ project, location, inProject })),
  );
  const results = await eachBounded(listings, LISTINGS_AT_ONCE, async ({ project, location, inProject }) => {
    try {
      return { project, page: await deps.instances.list(project, location, inProject) };
    } catch (error) {
      return { project, error };
    }
  });
  const failed = new Map(results.filter((r) => 'error' in r).map((r) => [r.project, r.error]));
  // As with a list of projects: when none can be listed, the failure is the resync's.
  if (found.length > 0 && failed.size === found.length) throw failed.values().next().value;
  for (const [project, error] of failed)
    deps.log.error(
      { project, error: errorMessage(error) },
      'project could not be listed; its instances are left as they are until a listing succeeds',
    );
  deps.log.info(
    { scope, inventoryPages: discovery.pages, found: names.length, listings: listings.length },
    'instances found under the scope',
  );
  const pages = results.flatMap((r): InstanceListing[] => ('page' in r && !failed.has(r.project) ? [r.page] : []));
  return { pages, unread: [...failed.keys()].map(unreadProject), projects: found.map(([project]) => project) };
}

/**
 * The instances we hold objects for in projects the listings did not cover: the inventory no longer has them (or
 * never had their project under the scope), so each is read on its own, at most LISTINGS_AT_ONCE at once. NOT_FOUND
 * is gone; one that cannot be read (a project moved out of the scope answers PERMISSION_DENIED) is left as it is.
 */
export async function readUncovered(
  deps: SyncDeps,
  listing: { readonly instances: readonly { readonly name: string }[]; readonly projects: readonly string[] },
  owned: readonly KubeObject[],
): Promise<InstanceObservation[]> {
  const listed = new Set(listing.instances.map((i) => i.name));
  const covered = new Set(listing.projects);
  const { locations } = deps.settings.process;
  const uncovered = [...new Set(owned.map(instanceNameOf))]
    .filter((n): n is string => n !== undefined && !listed.has(n))
    .map(parseInstanceName)
    .filter((n): n is InstanceName => n !== undefined && !covered.has(n.project))
    .filter((n) => locations.includes('-') || locations.includes(n.location));
  const read = await eachBounded(uncovered, LISTINGS_AT_ONCE, async (name) => {
    try {
      const instance = await deps.instances.get(name.full);
      return [{ name, ...(instance ? { instance } : {}) }];
    } catch (error) {
      deps.log.warn(
        { instance: name.full, error: errorMessage(error) },
        'instance outside the projects the inventory found could not be read; it is left as it is',
      );
      return [];
    }
  });
  return read.flat();
}
