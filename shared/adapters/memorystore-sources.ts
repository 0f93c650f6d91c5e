import type { MemorystoreSettings } from '../config/settings.js';
import type { Product } from '../model/products.js';
import type { InstanceSource } from './instance-source.js';
import { ProductSources } from './product-sources.js';

/**
 * Each product's client is loaded only when the product is enabled: the three client libraries pin three google-gax
 * majors, and a deployment that syncs Redis alone should not pay for loading the others at cold start.
 */
const SOURCE_OF: Readonly<Record<Product, (config: MemorystoreSettings) => Promise<InstanceSource>>> = {
  redis: async (config) => {
    const { makeRedisClient, MemorystoreInstanceSource } = await import('./memorystore-instance-source.js');
    return new MemorystoreInstanceSource(makeRedisClient(config));
  },
  valkey: async (config) => (await import('./valkey-instance-source.js')).valkeySource(config),
  memcached: async (config) => (await import('./memcached-instance-source.js')).memcachedSource(config),
  'redis-cluster': async (config) => (await import('./redis-cluster-source.js')).redisClusterSource(config),
};

/** The instances of every product MEMORYSTORE_PRODUCTS names, through their official clients. */
export async function memorystoreSources(config: MemorystoreSettings): Promise<InstanceSource> {
  const sources = await Promise.all(
    config.products.map(async (product) => [product, await SOURCE_OF[product](config)] as const),
  );
  return new ProductSources(new Map(sources));
}
