import { PermanentError } from '../errors.js';
import { type MemorystoreInstance } from '../model/instance.js';
import { parseInstanceName } from '../products/instance-name.js';
import type { Product } from '../products/registry.js';
import type { Discovery, InstanceListing, InstanceSource } from '../products/instance-source.js';

/**
 * The enabled products behind one source: a get goes to the instance's own product, a list reads every product (one
 * list each, at most as many at once as there are products) and reports every location one of them could not reach.
 */
export class ProductSources implements InstanceSource {
  constructor(
    private readonly sources: ReadonlyMap<Product, InstanceSource>,
    private readonly inventory?: Pick<InstanceSource, 'discover'>,
  ) {}

  discover(scope: string, products: readonly string[]): Promise<Discovery> {
    if (!this.inventory?.discover) throw new PermanentError('MEMORYSTORE_SCOPE is set, but no inventory is served');
    return this.inventory.discover(scope, products);
  }

  async get(name: string): Promise<MemorystoreInstance | undefined> {
    const product = parseInstanceName(name)?.product;
    const source = product ? this.sources.get(product) : undefined;
    if (!source) throw new PermanentError(`get ${name}: its product is not in MEMORYSTORE_PRODUCTS`);
    return source.get(name);
  }

  async list(project: string, location: string, products?: readonly string[]): Promise<InstanceListing> {
    const listed = [...this.sources].filter(([product]) => products?.includes(product) ?? true);
    const listings = await Promise.all(listed.map(([, source]) => source.list(project, location)));
    return {
      instances: listings.flatMap((l) => l.instances),
      unreachable: [...new Set(listings.flatMap((l) => l.unreachable))],
    };
  }
}
