import { ASSET_TYPES, instanceOfResult } from '../../../shared/adapters/asset-inventory.js';
import { PRODUCTS } from '../../../shared/products/registry.js';

/** A search result names an instance by its asset type and full resource name: `//<service>/<the product's name>`. */
test.each([
  ['redis.googleapis.com/Instance', '//redis.googleapis.com/projects/p-1/locations/us-east1/instances/cache', 'redis'],
  [
    'redis.googleapis.com/Cluster',
    '//redis.googleapis.com/projects/p-1/locations/us-east1/clusters/shards',
    'redis-cluster',
  ],
  [
    'memorystore.googleapis.com/Instance',
    '//memorystore.googleapis.com/projects/p-1/locations/us-east1/instances/vk',
    'valkey',
  ],
  [
    'memcache.googleapis.com/Instance',
    '//memcache.googleapis.com/projects/p-1/locations/us-east1/instances/mc',
    'memcached',
  ],
])('%s %s is an instance of %s', (assetType, name, product) => {
  const parsed = instanceOfResult({ assetType, name });
  expect(parsed).toMatchObject({ product, project: 'p-1', location: 'us-east1' });
  expect(parsed?.full.endsWith(name.replace(/^\/\/[^/]+\//, ''))).toBe(true);
});

test.each([
  [
    {
      assetType: 'redis.googleapis.com/Instance',
      name: '//memcache.googleapis.com/projects/p/locations/l/instances/x',
    },
  ],
  [{ assetType: 'redis.googleapis.com/Instance', name: '//redis.googleapis.com/projects/p/locations/l/clusters/x' }],
  [{ assetType: 'compute.googleapis.com/Instance', name: '//compute.googleapis.com/projects/p/zones/z/instances/x' }],
  [{ assetType: 'redis.googleapis.com/Instance' }],
])('%j names no instance of a synced product', (result) => {
  expect(instanceOfResult(result)).toBeUndefined();
});

test('every product has an asset type, each its own', () => {
  expect(Object.keys(ASSET_TYPES).sort()).toEqual([...PRODUCTS].sort());
  expect(new Set(Object.values(ASSET_TYPES)).size).toBe(PRODUCTS.length);
});
