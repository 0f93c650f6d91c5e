import type { Product } from '../model/products.js';

/**
 * The admin methods of each product, as they appear in `protoPayload.methodName` of Admin Activity audit entries:
 * `<proto package>.<service>.<method>`, in each API version that has them. Terraform's sink filter lists the same
 * (a test checks that the two agree).
 * - Redis: https://cloud.google.com/memorystore/docs/redis/audit-logs (v1, v1beta1 and v1alpha1 CloudRedis; the same
 *   page lists v1alpha1 CloudRedisCluster beside v1 and v1beta1)
 * - Memcached: https://cloud.google.com/memorystore/docs/memcached/audit-logs (v1 and v1beta2 CloudMemcache)
 * - Redis Cluster: `google.cloud.redis.cluster.{v1,v1beta1,v1alpha1}.CloudRedisCluster`, on redis.googleapis.com.
 * - Valkey: the `google.cloud.memorystore.{v1,v1beta}.Memorystore` service of memorystore.proto; its audit page lists
 *   no method names we could read, so these follow the naming every other Google API's audit entries use.
 */
export interface AdminMethods {
  readonly interfaces: readonly string[];
  /**
   * Methods that change, or may change, an instance's existence or endpoints; the others change nothing the mesh needs.
   */
  readonly changing: readonly string[];
}

export const ADMIN_METHODS: Readonly<Record<Product, AdminMethods>> = {
  redis: {
    interfaces: [
      'google.cloud.redis.v1.CloudRedis',
      'google.cloud.redis.v1beta1.CloudRedis',
      'google.cloud.redis.v1alpha1.CloudRedis',
    ],
    changing: [
      'CreateInstance',
      'UpdateInstance',
      'DeleteInstance',
      'FailoverInstance',
      'UpgradeInstance',
      'ImportInstance',
    ],
  },
  // Create and Update (shard, replica, mode changes) move endpoints; backups, maintenance and auth tokens do not.
  valkey: {
    interfaces: ['google.cloud.memorystore.v1.Memorystore', 'google.cloud.memorystore.v1beta.Memorystore'],
    changing: ['CreateInstance', 'UpdateInstance', 'DeleteInstance'],
  },
  // UpdateInstance resizes (node count); UpgradeInstance and v1beta2's ApplySoftwareUpdate replace nodes.
  // UpdateParameters and ApplyParameters change memcached flags only.
  memcached: {
    interfaces: ['google.cloud.memcache.v1.CloudMemcache', 'google.cloud.memcache.v1beta2.CloudMemcache'],
    changing: ['CreateInstance', 'UpdateInstance', 'DeleteInstance', 'UpgradeInstance', 'ApplySoftwareUpdate'],
  },
  // Shard and replica changes move no discovery endpoint, but may move node addresses: reconciled all the same.
  'redis-cluster': {
    interfaces: [
      'google.cloud.redis.cluster.v1.CloudRedisCluster',
      'google.cloud.redis.cluster.v1beta1.CloudRedisCluster',
      'google.cloud.redis.cluster.v1alpha1.CloudRedisCluster',
    ],
    changing: ['CreateCluster', 'UpdateCluster', 'DeleteCluster'],
  },
};

// A method name is a protobuf identifier; the longest of these APIs' is well under 64 characters, so a longer one is
// not ours.
const METHOD = /^(.+)\.([A-Za-z]{1,64})$/;

export type MethodKind =
  { kind: 'changes'; method: string } | { kind: 'no-change'; method: string } | { kind: 'unknown' };

/** Whether a method of `product`'s API changes instances, leaves them be, or is not one of its methods at all. */
export function classifyMethod(product: Product, methodName: string): MethodKind {
  const match = METHOD.exec(methodName);
  const methods = ADMIN_METHODS[product];
  if (!match?.[1] || !match[2] || !methods.interfaces.includes(match[1])) return { kind: 'unknown' };
  return methods.changing.includes(match[2])
    ? { kind: 'changes', method: match[2] }
    : { kind: 'no-change', method: match[2] };
}
