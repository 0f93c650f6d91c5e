import { jest } from '@jest/globals';

// The client libraries pin three google-gax majors and cost a cold start tens of MiB each (npm run bench:modules):
// a deployment that syncs Redis alone must load @google-cloud/redis and no other. Here loading another fails, so a
// static import of one anywhere on the way (the registry, a product's module, its mapper) fails the test.
const loaded: string[] = [];
// The products load their v1 client's entry point (shared/products/*/client.ts); the index is guarded too.
for (const other of ['@google-cloud/memorystore', '@google-cloud/memcache', '@google-cloud/redis-cluster'])
  for (const entry of [other, `${other}/build/src/v1/index.js`])
    jest.unstable_mockModule(entry, () => {
      loaded.push(other);
      throw new Error(`${other} was loaded`);
    });

const settings = { project: 'p', memorystoreEndpoint: { host: 'localhost', port: 1, plaintext: true } };

test('the registry, every module and the Redis source load no client library but Redis', async () => {
  const { PRODUCT_MODULES } = await import('../../../shared/products/registry.js');
  const { memorystoreSources } = await import('../../../shared/adapters/memorystore-sources.js');
  // Every module loaded (each imports its mapper and naming), none of them a client.
  expect(PRODUCT_MODULES.map((m) => m.naming.serviceName)).toContain('memorystore.googleapis.com');
  const source = await memorystoreSources({ ...settings, products: ['redis'] });
  expect(source).toBeDefined();
  expect(loaded).toEqual([]);
});

test("another product's client is loaded by its first listing when that product is enabled, and only then", async () => {
  const { memorystoreSources } = await import('../../../shared/adapters/memorystore-sources.js');
  const source = await memorystoreSources({ ...settings, products: ['memcached'] });
  expect(loaded).toEqual([]);
  await expect(source.list('p', '-')).rejects.toThrow(/@google-cloud\/memcache was loaded/);
  expect(loaded).toEqual(['@google-cloud/memcache']);
});
