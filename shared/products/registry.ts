import { memcached } from './memcached/index.js';
import type { ProductNaming } from './product-module.js';
import { redisCluster } from './redis-cluster/index.js';
import { redis } from './redis/index.js';
import { valkey } from './valkey/index.js';

/** The Memorystore products this project syncs, one module each; a new product is one more entry here. */
export const PRODUCT_MODULES = [redis, valkey, memcached, redisCluster] as const;

export type Product = (typeof PRODUCT_MODULES)[number]['id'];
export const PRODUCTS: readonly Product[] = PRODUCT_MODULES.map((m) => m.id);

type AnyProductModule = (typeof PRODUCT_MODULES)[number];
const BY_ID = new Map<Product, AnyProductModule>(PRODUCT_MODULES.map((m) => [m.id, m]));

export function productModule(product: Product): AnyProductModule {
  return BY_ID.get(product)!;
}

/** Each product's naming, by product: what names, hosts, identities and phases are made of. */
export const PRODUCT_INFO: Readonly<Record<Product, ProductNaming>> = Object.fromEntries(
  PRODUCT_MODULES.map((m) => [m.id, m.naming]),
) as Record<Product, ProductNaming>;

/** The products an audit entry's service name may be about (Redis and Redis Cluster share redis.googleapis.com). */
export function productsOfService(serviceName: string | undefined): Product[] {
  return PRODUCTS.filter((p) => PRODUCT_INFO[p].serviceName === serviceName);
}
