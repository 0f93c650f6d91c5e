import type { MemorystoreSettings } from '../config/settings.js';
import { productModule, type Product } from '../products/registry.js';
import type { InstanceSource } from '../products/instance-source.js';
import { AssetInventory } from './asset-inventory.js';
import { ProductSources } from './product-sources.js';
import { RestInstanceReads } from './rest-instance-reads.js';

/** One product's instances over its REST API: reads by name and listings (rest-instance-reads.ts). */
function restSource(product: Product, settings: MemorystoreSettings): RestInstanceReads {
  const { naming, toInstance } = productModule(product);
  return new RestInstanceReads(settings, naming, toInstance);
}

/**
 * The instances of every product MEMORYSTORE_PRODUCTS names, and Cloud Asset Inventory's search for them under a
 * folder or organization. No client library is loaded: every call is a REST call.
 */
export function memorystoreSources(config: MemorystoreSettings): Promise<InstanceSource> {
  let inventory: AssetInventory | undefined;
  return Promise.resolve(
    new ProductSources(new Map(config.products.map((product) => [product, restSource(product, config)])), {
      discover: (scope, products) => (inventory ??= new AssetInventory(config)).discover(scope, products),
    }),
  );
}
