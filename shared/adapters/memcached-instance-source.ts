import { CloudMemcacheClient, protos } from '@google-cloud/memcache';
import type { Config } from '../config/parse-config.js';
import { toMemcachedInstance } from '../sources/memcached.js';
import { clientOptions, ProductInstanceSource } from './grpc-product-source.js';

type ApiInstance = protos.google.cloud.memcache.v1.IInstance;

/** Memorystore for Memcached instances (memcache.googleapis.com v1), through @google-cloud/memcache. */
export function memcachedSource(
  config: Pick<Config, 'project' | 'memorystoreEndpoint'>,
): ProductInstanceSource<ApiInstance> {
  const client = new CloudMemcacheClient(clientOptions(config, '@google-cloud/memcache'));
  return new ProductInstanceSource(client, toMemcachedInstance);
}
