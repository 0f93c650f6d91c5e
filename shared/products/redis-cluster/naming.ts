import type { ProductNaming } from '../product-module.js';

// cloud_redis_cluster.proto (Memorystore for Redis Cluster, on redis.googleapis.com beside Redis): 1-63 characters,
// starting with a letter, ending with a letter or digit. A cluster has no labels.
export const REDIS_CLUSTER_NAMING: ProductNaming = {
  serviceName: 'redis.googleapis.com',
  identityPrefix: '//redis.googleapis.com/',
  objectPrefix: 'rediscluster',
  hostSegment: 'rediscluster',
  protocol: 'redis',
  readyState: 'ACTIVE',
  collection: 'clusters',
  idField: 'clusterId',
  instanceId: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
  labelsReadable: false,
};
