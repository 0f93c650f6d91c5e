import type { SyncRig } from './sync-rig.js';

/**
 * Instances of the other products, made through their own APIs, for tests that start from one: each waits until
 * the change's last audit entry has been published and handled, so the test begins on a settled cluster.
 */
export function productInstances(rig: SyncRig, parent: string) {
  /** Waits for the operation, then for its last audit entry to be published and handled. */
  async function done(operation: { promise(): Promise<unknown> }): Promise<void> {
    await operation.promise();
    await rig.memorystore.settled();
    await rig.idle();
  }

  return {
    done,
    /**
     * A Valkey instance (cluster mode disabled), created with no replica, then given `replicaCount` if that is more.
     */
    async valkey(id: string, replicaCount = 0): Promise<void> {
      const [create] = await rig.products.valkey.createInstance({
        parent,
        instanceId: id,
        instance: { mode: 'CLUSTER_DISABLED' },
      });
      await done(create);
      if (replicaCount === 0) return;
      const [update] = await rig.products.valkey.updateInstance({
        updateMask: { paths: ['replica_count'] },
        instance: { name: `${parent}/instances/${id}`, replicaCount },
      });
      await done(update);
    },
    /** A Valkey instance in cluster mode: a sharded target. */
    async shardedValkey(id: string): Promise<void> {
      const [operation] = await rig.products.valkey.createInstance({
        parent,
        instanceId: id,
        instance: { mode: 'CLUSTER', shardCount: 3 },
      });
      await done(operation);
    },
    /** A Memorystore for Redis Cluster of three shards. */
    async redisCluster(id: string): Promise<void> {
      const [operation] = await rig.products.cluster.createCluster({
        parent,
        clusterId: id,
        cluster: { shardCount: 3 },
      });
      await done(operation);
    },
    /** A Memcached instance created with two nodes, then resized to `nodeCount` if that is more. */
    async memcached(id: string, nodeCount = 2): Promise<void> {
      const [create] = await rig.products.memcache.createInstance({
        parent,
        instanceId: id,
        instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
      });
      await done(create);
      if (nodeCount === 2) return;
      const [resize] = await rig.products.memcache.updateInstance({
        updateMask: { paths: ['node_count'] },
        instance: { name: `${parent}/instances/${id}`, nodeCount },
      });
      await done(resize);
    },
  };
}
