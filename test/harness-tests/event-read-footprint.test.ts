import { fileURLToPath } from 'node:url';
import { inFreshNode } from '../fixtures/fresh-node.js';
import type { CloudRedisClient } from '@google-cloud/redis';
import { localRedisClient, startFakeMemorystore, type FakeMemorystore } from '../../dev/harness/memorystore/index.js';

/**
 * An event reads one instance; a resync lists every product. Loading a product's gRPC client for that (google-gax,
 * grpc-js, protobufjs building its types) was most of the CPU of the first event after a cold start (npm run
 * bench:first-event), and with all four products a third of a 256 MiB function (npm run bench:memory), so both go
 * over the products' REST APIs. Run in a fresh process from the build, so the module cache holds what the calls
 * really loaded.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = 'footprint-project';
const NAME = `projects/${PROJECT}/locations/us-central1/instances/footprint`;

const script = `
import { createRequire } from 'node:module';
const [sources, port, name, list] = process.argv.slice(1);
const { memorystoreSources } = await import(sources);
const memorystoreEndpoint = { host: '127.0.0.1', port: Number(port), plaintext: true };
const products = list ? ['redis', 'valkey', 'memcached', 'redis-cluster'] : ['redis'];
const source = await memorystoreSources({ project: '${PROJECT}', products, memorystoreEndpoint });
const instance = await source.get(name);
const missing = await source.get(name + '-gone');
const listed = list ? (await source.list('${PROJECT}', '-')).instances.length : undefined;
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .map((file) => /node_modules\\/((@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')))?.[1])
  .filter((name) => name && /google-gax|@grpc\\/|protobufjs|@google-cloud\\/(redis|memcache|memorystore)/.test(name));
process.stdout.write(JSON.stringify({ instance, missing: missing ?? null, listed, loaded: [...new Set(loaded)].sort() }));
`;

interface Footprint {
  readonly instance: unknown;
  readonly missing: unknown;
  readonly listed?: number;
  readonly loaded: string[];
}

async function inFreshProcess(list: boolean): Promise<Footprint> {
  const args = [`${root}build/shared/adapters/memorystore-sources.js`, String(server.port), NAME, list ? 'list' : ''];
  return inFreshNode<Footprint>(script, args);
}

let server: FakeMemorystore;
let client: CloudRedisClient;
beforeAll(async () => {
  server = await startFakeMemorystore({ projectId: PROJECT, settleDelayMs: 1 });
  client = localRedisClient(server.port, PROJECT);
  const [operation] = await client.createInstance({
    parent: NAME.replace(/\/instances\/.*/, ''),
    instanceId: 'footprint',
    instance: { tier: 'BASIC', memorySizeGb: 1, labels: { team: 'a' } },
  });
  await operation.promise();
}, 30_000);
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

test("an event's read of one instance loads no gRPC client, and finds it or finds it gone", async () => {
  const { instance, missing, loaded } = await inFreshProcess(false);
  const stored = server.instances()[0]!;
  expect(instance).toEqual({
    name: NAME,
    state: 'READY',
    phase: 'ready',
    endpoints: [{ role: 'primary', address: stored.host, port: 6379 }],
    labels: { team: 'a' },
    // The instance's authorizedNetwork, as the REST read gives it (the project's default network unless set).
    networks: ['projects/footprint-project/global/networks/default'],
  });
  expect(missing).toBeNull();
  expect(loaded).toEqual([]);
});

test('a listing of all four products loads no gRPC client either, and finds the one instance', async () => {
  const { listed, loaded } = await inFreshProcess(true);
  expect(listed).toBe(1);
  expect(loaded).toEqual([]);
});
