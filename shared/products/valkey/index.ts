import { defineProduct } from '../product-module.js';
import { toValkeyInstance } from './mapper.js';
import { VALKEY_NAMING } from './naming.js';

/**
 * Memorystore for Valkey: the `google.cloud.memorystore.{v1,v1beta}.Memorystore` service of memorystore.proto. Its
 * audit page lists no method names we could read, so these follow the naming every other Google API's audit entries
 * use. Create and Update (shard, replica, mode changes) move endpoints; backups, maintenance and auth tokens do not.
 */
export const valkey = defineProduct({
  id: 'valkey',
  title: 'Memorystore for Valkey',
  naming: VALKEY_NAMING,
  adminMethods: {
    interfaces: ['google.cloud.memorystore.v1.Memorystore', 'google.cloud.memorystore.v1beta.Memorystore'],
    changing: ['CreateInstance', 'UpdateInstance', 'DeleteInstance'],
  },
  toInstance: toValkeyInstance,
});
