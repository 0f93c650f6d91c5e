import type { Config } from '../config/parse-config.js';
import { productModule } from '../products/registry.js';
import type { InstanceSource } from '../products/instance-source.js';
import { ProductSources } from './product-sources.js';

type SourceConfig = Pick<Config, 'project' | 'memorystoreEndpoint' | 'products'>;

/**
 * The instances of every product MEMORYSTORE_PRODUCTS names, through their official clients: each product's module
 * loads its client only here, when the product is enabled.
 */
export async function memorystoreSources(config: SourceConfig): Promise<InstanceSource> {
  const sources = await Promise.all(
    config.products.map(async (product) => [product, await productModule(product).loadSource(config)] as const),
  );
  return new ProductSources(new Map(sources));
}
