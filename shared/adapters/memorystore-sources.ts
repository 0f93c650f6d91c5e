import type { MemorystoreSettings } from '../config/settings.js';
import { productModule } from '../products/registry.js';
import type { InstanceSource } from '../products/instance-source.js';
import { ProductSources } from './product-sources.js';

/**
 * The instances of every product MEMORYSTORE_PRODUCTS names, through their official clients: each product's module
 * loads its client only here, when the product is enabled.
 */
export async function memorystoreSources(config: MemorystoreSettings): Promise<InstanceSource> {
  const sources = await Promise.all(
    config.products.map(async (product) => [product, await productModule(product).loadSource(config)] as const),
  );
  return new ProductSources(new Map(sources));
}
