// The v1 client alone: the package's index also loads its static protobuf module (protos.js), which only the
// types below use (docs/performance.md: memory).
import { CloudMemcacheClient } from '@google-cloud/memcache/build/src/v1/index.js';
import type { protos } from '@google-cloud/memcache';
import { toMemcachedInstance } from './mapper.js';
import { clientOptions, ProductInstanceSource } from '../grpc-product-source.js';
import type { ClientSettings } from '../product-module.js';

type ApiInstance = protos.google.cloud.memcache.v1.IInstance;

/** Memorystore for Memcached instances (memcache.googleapis.com v1), through @google-cloud/memcache. */
export function memcachedSource(config: ClientSettings): ProductInstanceSource<ApiInstance> {
  const client = new CloudMemcacheClient(clientOptions(config, '@google-cloud/memcache'));
  return new ProductInstanceSource(client, toMemcachedInstance);
}
