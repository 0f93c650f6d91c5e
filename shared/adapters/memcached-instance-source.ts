import { CloudMemcacheClient, protos } from '@google-cloud/memcache';
import type { MemorystoreSettings } from '../config/settings.js';
import { toMemcachedInstance } from '../sources/memcached.js';
import { clientOptions, ProductInstanceSource } from './grpc-product-source.js';

type ApiInstance = protos.google.cloud.memcache.v1.IInstance;

/** Memorystore for Memcached instances (memcache.googleapis.com v1), through @google-cloud/memcache. */
export function memcachedSource(
  config: Pick<MemorystoreSettings, 'project' | 'memorystoreEndpoint'>,
): ProductInstanceSource<ApiInstance> {
  const client = new CloudMemcacheClient(clientOptions(config, '@google-cloud/memcache'));
  return new ProductInstanceSource(client, toMemcachedInstance);
}
