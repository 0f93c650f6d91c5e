import { PermanentError, TransientError } from '../errors.js';
import type { ClientSettings } from '../products/product-module.js';
import { instanceNamed, type InstanceName } from '../products/instance-name.js';
import type { Discovery } from '../products/instance-source.js';
import { PRODUCT_INFO, type Product } from '../products/registry.js';
import { callRest, type TokenSource } from './google-rest.js';
import { restBase, statusOf } from './rest-instance-reads.js';

/**
 * Cloud Asset Inventory's type of each product's instances, as its supported asset types list names them
 * (https://cloud.google.com/asset-inventory/docs/supported-asset-types): Redis Cluster's clusters are
 * `redis.googleapis.com/Cluster`, Valkey's instances `memorystore.googleapis.com/Instance`.
 */
export const ASSET_TYPES: Readonly<Record<Product, string>> = {
  redis: 'redis.googleapis.com/Instance',
  valkey: 'memorystore.googleapis.com/Instance',
  memcached: 'memcache.googleapis.com/Instance',
  'redis-cluster': 'redis.googleapis.com/Cluster',
};

/** The most results one page holds: "Page size is capped at 500 even if a larger value is given" (the proto). */
export const INVENTORY_PAGE_SIZE = 500;

/** Deadline of one page, the retries of 408, 429 and 5xx included (google-rest.ts). */
const PAGE_DEADLINE_MS = 30_000;

interface SearchPage {
  readonly results?: readonly { readonly name?: string; readonly assetType?: string }[];
  readonly nextPageToken?: string;
}

/**
 * The instance a search result names. Of a ResourceSearchResult only `name` and `assetType` are read: `name` is the
 * full resource name, `//<service>/projects/PROJECT_ID/locations/L/instances/I` (`clusters/C` for Redis Cluster;
 * https://cloud.google.com/asset-inventory/docs/resource-name-format), which is the product's own name behind its
 * service; `project` is a project number, which no instance name carries; `additionalAttributes` is documented as not
 * to be consumed programmatically, and neither it nor `versionedResources` holds every product's endpoints, so each
 * instance's state is read from its product's API.
 */
export function instanceOfResult(result: { name?: string; assetType?: string }): InstanceName | undefined {
  const product = (Object.keys(ASSET_TYPES) as Product[]).find((p) => ASSET_TYPES[p] === result.assetType);
  if (!product || !result.name) return undefined;
  const prefix = `//${PRODUCT_INFO[product].serviceName}/`;
  return result.name.startsWith(prefix) ? instanceNamed(product, result.name.slice(prefix.length)) : undefined;
}

/**
 * `searchAllResources` over REST (`GET v1/{scope}:searchAllResources`,
 * https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllResources), as the products'
 * reads are made (google-rest.ts): the `@google-cloud/asset` client would load
 * google-gax and its protos (about 0.3 CPU-seconds and 40 MB more, as measured beside this change) for one paged
 * GET. Only `name` and `assetType` are asked for (`readMask`), every page is read to its end.
 */
export class AssetInventory {
  private readonly base: { url: string; token?: TokenSource };

  constructor(settings: ClientSettings) {
    this.base = restBase(settings, 'cloudasset.googleapis.com');
  }

  async discover(scope: string, products: readonly string[]): Promise<Discovery> {
    try {
      return await this.search(scope, products);
    } catch (error) {
      // A page token can expire or be refused during a long search: the search starts over once, from its first page.
      if (!(error instanceof PageTokenRefused)) throw error;
      return this.search(scope, products);
    }
  }

  private async search(scope: string, products: readonly string[]): Promise<Discovery> {
    const names = new Set<string>();
    let pages = 0;
    let pageToken = '';
    do {
      const page = await this.page(scope, products, pageToken);
      pages++;
      for (const result of page.results ?? []) {
        const name = instanceOfResult(result);
        if (name) names.add(name.full);
      }
      pageToken = page.nextPageToken ?? '';
    } while (pageToken !== '');
    return { names: [...names], pages };
  }

  private async page(scope: string, products: readonly string[], pageToken: string): Promise<SearchPage> {
    const types = Object.entries(ASSET_TYPES).filter(([product]) => products.includes(product));
    const params = new URLSearchParams([
      ...types.map(([, type]): [string, string] => ['assetTypes', type]),
      ['pageSize', String(INVENTORY_PAGE_SIZE)],
      ['readMask', 'name,assetType'],
      ...(pageToken ? [['pageToken', pageToken] as [string, string]] : []),
    ]);
    const url = `${this.base.url}${scope}:searchAllResources?${params.toString()}`;
    try {
      return await callRest<SearchPage>({ url, method: 'GET', deadlineMs: PAGE_DEADLINE_MS }, this.base.token);
    } catch (error) {
      throw failure(error, `search ${scope} in Cloud Asset Inventory`, pageToken !== '');
    }
  }
}

/** A refused page token is retried from the start; 408, 429 and 5xx (already retried) are transient. */
function failure(error: unknown, action: string, paging: boolean): Error {
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message.slice(0, 300) : String(error);
  if (status === 400 && paging) return new PageTokenRefused(`${action}: page token refused: ${detail}`);
  if (status === undefined || status === 408 || status === 429 || status >= 500)
    return new TransientError(`${action}: HTTP ${status ?? 'no answer'}: ${detail}`, { cause: error });
  return new PermanentError(`${action}: HTTP ${status}: ${detail}`, { cause: error });
}

class PageTokenRefused extends TransientError {}
