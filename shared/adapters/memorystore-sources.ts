import type { MemorystoreSettings } from '../config/settings.js';
import type { MemorystoreInstance } from '../model/instance.js';
import { productModule, type Product } from '../products/registry.js';
import type { InstanceListing, InstanceSource } from '../products/instance-source.js';
import { AssetInventory } from './asset-inventory.js';
import { ProductSources } from './product-sources.js';
import { RestInstanceReads } from './rest-instance-reads.js';

/**
 * One product: its instance read over REST (what an event needs), its listings through its official gRPC client
 * (what a resync needs: pages and `unreachable`), loaded on the first listing only.
 */
class ProductSource implements InstanceSource {
  private readonly reads: RestInstanceReads;
  private client: Promise<InstanceSource> | undefined;

  constructor(
    private readonly product: Product,
    private readonly settings: MemorystoreSettings,
  ) {
    const module = productModule(product);
    this.reads = new RestInstanceReads(settings, module.naming.serviceName, module.toInstance);
  }

  get(name: string): Promise<MemorystoreInstance | undefined> {
    return this.reads.get(name);
  }

  async list(project: string, location: string): Promise<InstanceListing> {
    // A failed load (not expected: the package is installed) is not kept, so the next listing tries again.
    this.client ??= productModule(this.product)
      .loadSource(this.settings)
      .catch((error: unknown) => {
        this.client = undefined;
        throw error;
      });
    return (await this.client).list(project, location);
  }
}

/**
 * The instances of every product MEMORYSTORE_PRODUCTS names, and Cloud Asset Inventory's search for them under a
 * folder or organization. No client library is loaded here: a product's gRPC client is loaded on its first listing,
 * and only for an enabled product.
 */
export function memorystoreSources(config: MemorystoreSettings): Promise<InstanceSource> {
  let inventory: AssetInventory | undefined;
  return Promise.resolve(
    new ProductSources(new Map(config.products.map((product) => [product, new ProductSource(product, config)])), {
      discover: (scope, products) => (inventory ??= new AssetInventory(config)).discover(scope, products),
    }),
  );
}
