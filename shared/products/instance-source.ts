import type { MemorystoreInstance } from '../model/instance.js';

export interface InstanceListing {
  readonly instances: readonly MemorystoreInstance[];
  /** Locations the API could not reach: their instances are unknown, so nothing of theirs may be pruned. */
  readonly unreachable: readonly string[];
}

/**
 * The Memorystore APIs, as the reconciler needs them. One product's is `RestInstanceReads` (its REST API);
 * `ProductSources` puts the enabled products behind this one interface.
 */
export interface InstanceSource {
  /** The instance named by its identity, or undefined when the API says NOT_FOUND. */
  get(name: string): Promise<MemorystoreInstance | undefined>;
  /**
   * Every instance of the project in a location (`-` = all), following every page; of `products` only, when given
   * (a source of one product may ignore it). Product ids are plain strings here: this interface is part of each product
   * module's type, from which the type of a product id is made.
   */
  list(project: string, location: string, products?: readonly string[]): Promise<InstanceListing>;
  /**
   * The names of the instances of `products` under a folder or organization (MEMORYSTORE_SCOPE), as Cloud Asset
   * Inventory knows them; absent where no inventory is served.
   */
  discover?(scope: string, products: readonly string[]): Promise<Discovery>;
}

/** What a search of the inventory found, and what it cost. */
export interface Discovery {
  /** The instances' identities (MemorystoreInstance.name). */
  readonly names: readonly string[];
  /** Pages the search took (each one request). */
  readonly pages: number;
}
