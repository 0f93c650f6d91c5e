import type { CloudMemcacheClient } from '@google-cloud/memcache';
import type { MemorystoreClient } from '@google-cloud/memorystore';
import type { CloudRedisClient } from '@google-cloud/redis';
import type { CloudRedisClusterClient } from '@google-cloud/redis-cluster';
import type { FakeMemorystore } from '../../dev/harness/memorystore/index.js';

export const REGION = 'us-central1';
const CONCURRENCY = 32;

/** `cache-00042`: ids that sort in creation order. */
export const instanceId = (i: number): string => `cache-${String(i).padStart(5, '0')}`;

/** The four products' clients on the local API (dev/harness/memorystore: localRedisClient, localProductClients). */
export interface ProductClients {
  readonly redis: CloudRedisClient;
  readonly valkey: MemorystoreClient;
  readonly memcache: CloudMemcacheClient;
  readonly cluster: CloudRedisClusterClient;
}

/**
 * Fills the local Memorystore API with `count` instances of each of the four products through their public APIs
 * (Redis BASIC, Valkey without cluster mode, two-node Memcached, three-shard Redis Cluster), a bounded number at a
 * time, and waits until every one is READY or ACTIVE.
 */
export async function seedEveryProduct(
  clients: ProductClients,
  memorystore: FakeMemorystore,
  project: string,
  count: number,
): Promise<void> {
  const parent = `projects/${project}/locations/${REGION}`;
  const creates: Array<(id: string) => Promise<unknown>> = [
    (id) => clients.redis.createInstance({ parent, instanceId: id, instance: { tier: 'BASIC', memorySizeGb: 1 } }),
    (id) =>
      clients.valkey.createInstance({
        parent,
        instanceId: id,
        instance: { mode: 'CLUSTER_DISABLED', replicaCount: 0 },
      }),
    (id) =>
      clients.memcache.createInstance({
        parent,
        instanceId: id,
        instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
      }),
    (id) => clients.cluster.createCluster({ parent, clusterId: id, cluster: { shardCount: 3 } }),
  ];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count * creates.length) {
      const i = next++;
      await creates[i % creates.length]!(instanceId(Math.floor(i / creates.length)));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await memorystore.settled();
  const ready = [
    memorystore.instances().filter((i) => i.state === 'READY').length,
    memorystore.valkeyInstances().filter((i) => i.state === 'ACTIVE').length,
    memorystore.memcachedInstances().filter((i) => i.state === 'READY').length,
    memorystore.redisClusters().filter((i) => i.state === 'ACTIVE').length,
  ];
  if (ready.some((n) => n < count)) throw new Error(`only ${ready.join(' / ')} of ${count} per product are ready`);
}

/** Instances of each product for N in all: the four products share N evenly (N = 100: 25 each). */
export const perProduct = (size: number): number => Math.ceil(size / 4);

/**
 * Fills the local Memorystore API with `count` Memcached instances of `nodeCount` nodes each (an endpoint per node and
 * one for discovery, each with a gateway port of its own), a bounded number at a time, and waits until all are READY.
 */
export async function seedMemcached(
  memcache: CloudMemcacheClient,
  memorystore: FakeMemorystore,
  project: string,
  count: number,
  nodeCount: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const id = instanceId(next++);
      await memcache.createInstance({
        parent: `projects/${project}/locations/${REGION}`,
        instanceId: id,
        instance: { nodeCount, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await memorystore.settled();
  const ready = memorystore.memcachedInstances().filter((i) => i.state === 'READY').length;
  if (ready < count) throw new Error(`only ${ready} of ${count} Memcached instances are READY`);
}
