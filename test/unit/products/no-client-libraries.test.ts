import { jest } from '@jest/globals';
import { TransientError } from '../../../shared/errors.js';

// The client libraries pin three google-gax majors and cost tens of MiB each (npm run bench:modules): the functions
// read and list every product over REST and load none of them. Here loading one fails, so a static or lazy import of
// one anywhere on the way (the registry, a product's module, its mapper, a listing) fails the test.
const loaded: string[] = [];
for (const client of [
  '@google-cloud/redis',
  '@google-cloud/memorystore',
  '@google-cloud/memcache',
  '@google-cloud/redis-cluster',
])
  for (const entry of [client, `${client}/build/src/v1/index.js`])
    jest.unstable_mockModule(entry, () => {
      loaded.push(client);
      throw new Error(`${client} was loaded`);
    });

// No server on port 1: every call fails as a network failure, after the modules it needs are loaded.
const settings = { project: 'p', memorystoreEndpoint: { host: '127.0.0.1', port: 1, plaintext: true } };

test('the registry, every product module, a read and a listing of all four products load no client library', async () => {
  const { PRODUCT_MODULES } = await import('../../../shared/products/registry.js');
  const { memorystoreSources } = await import('../../../shared/adapters/memorystore-sources.js');
  const source = await memorystoreSources({ ...settings, products: PRODUCT_MODULES.map((m) => m.id) });
  await expect(source.list('p', '-')).rejects.toThrow(TransientError);
  await expect(source.get('projects/p/locations/l/instances/i')).rejects.toThrow(TransientError);
  expect(loaded).toEqual([]);
});
