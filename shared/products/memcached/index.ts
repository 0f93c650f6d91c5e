import { defineProduct } from '../product-module.js';
import { toMemcachedInstance } from './mapper.js';
import { MEMCACHED_NAMING } from './naming.js';

/**
 * Memorystore for Memcached: https://cloud.google.com/memorystore/docs/memcached/audit-logs (v1 and v1beta2
 * CloudMemcache). UpdateInstance resizes (node count); UpgradeInstance and v1beta2's ApplySoftwareUpdate replace
 * nodes. UpdateParameters and ApplyParameters change memcached flags only.
 */
export const memcached = defineProduct({
  id: 'memcached',
  title: 'Memorystore for Memcached',
  naming: MEMCACHED_NAMING,
  adminMethods: {
    interfaces: ['google.cloud.memcache.v1.CloudMemcache', 'google.cloud.memcache.v1beta2.CloudMemcache'],
    changing: ['CreateInstance', 'UpdateInstance', 'DeleteInstance', 'UpgradeInstance', 'ApplySoftwareUpdate'],
  },
  toInstance: toMemcachedInstance,
});
