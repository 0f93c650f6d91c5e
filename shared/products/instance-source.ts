import type { MemorystoreInstance } from '../model/instance.js';

export interface InstanceListing {
  readonly instances: readonly MemorystoreInstance[];
  /** Locations the API could not reach: their instances are unknown, so nothing of theirs may be pruned. */
  readonly unreachable: readonly string[];
}

/**
 * The Memorystore APIs, as the reconciler needs them. One product's is `ProductInstanceSource`; `ProductSources`
 * puts the enabled products behind this one interface.
 */
export interface InstanceSource {
  /** The instance named by its identity, or undefined when the API says NOT_FOUND. */
  get(name: string): Promise<MemorystoreInstance | undefined>;
  /** Every instance of the project in a location (`-` = all), following every page. */
  list(project: string, location: string): Promise<InstanceListing>;
}
