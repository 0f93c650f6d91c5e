import { defineProduct } from '../product-module.js';
import { toRedisInstance } from './mapper.js';
import { REDIS_NAMING } from './naming.js';

/** Memorystore for Redis: https://cloud.google.com/memorystore/docs/redis/audit-logs (v1, v1beta1, v1alpha1). */
export const redis = defineProduct({
  id: 'redis',
  title: 'Memorystore for Redis',
  naming: REDIS_NAMING,
  adminMethods: {
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
  monitoredResource: { type: 'redis_instance', idLabel: 'instance_id' },
  toInstance: toRedisInstance,
});
