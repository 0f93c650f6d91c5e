import type { RedisInstance } from '../model/instance.js';

export interface InstanceListing {
  readonly instances: readonly RedisInstance[];
  /** Locations the API could not reach: their instances are unknown, so nothing of theirs may be pruned. */
  readonly unreachable: readonly string[];
}

/** The Memorystore API, as the reconciler needs it. The real one is `MemorystoreInstanceSource`. */
export interface InstanceSource {
  /** The instance, or undefined when the API says NOT_FOUND. */
  get(name: string): Promise<RedisInstance | undefined>;
  /** Every instance of the project in a location (`-` = all), following every page. */
  list(project: string, location: string): Promise<InstanceListing>;
}
