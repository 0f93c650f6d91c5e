import { defineProduct } from '../product-module.js';
import { toRedisClusterInstance } from './mapper.js';
import { REDIS_CLUSTER_NAMING } from './naming.js';

/**
 * Memorystore for Redis Cluster: `google.cloud.redis.cluster.{v1,v1beta1,v1alpha1}.CloudRedisCluster`, on
 * redis.googleapis.com (https://cloud.google.com/memorystore/docs/redis/audit-logs lists v1alpha1 beside v1 and
 * v1beta1). Shard and replica changes move no discovery endpoint, but may move node addresses: reconciled all the same.
 */
export const redisCluster = defineProduct({
  id: 'redis-cluster',
  title: 'Memorystore for Redis Cluster',
  naming: REDIS_CLUSTER_NAMING,
  adminMethods: {
    interfaces: [
      'google.cloud.redis.cluster.v1.CloudRedisCluster',
      'google.cloud.redis.cluster.v1beta1.CloudRedisCluster',
      'google.cloud.redis.cluster.v1alpha1.CloudRedisCluster',
    ],
    changing: ['CreateCluster', 'UpdateCluster', 'DeleteCluster'],
  },
  monitoredResource: { type: 'redis.googleapis.com/Cluster', idLabel: 'cluster_id' },
  toInstance: toRedisClusterInstance,
});
