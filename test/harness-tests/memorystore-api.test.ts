import type { CloudRedisClient } from '@google-cloud/redis';
import {
  localRedisClient,
  localRedisSource,
  startFakeMemorystore,
  type FakeMemorystore,
} from '../../dev/harness/memorystore/index.js';

/**
 * The local Memorystore API through the real @google-cloud/redis client, and the project's REST source over it:
 * long-running operations, states, NOT_FOUND, pagination across locations, unreachable regions. Each test gets an API
 * of its own holding the same five instances, so a test that deletes one takes it from no other test.
 */
let server: FakeMemorystore;
let client: CloudRedisClient;
const parent = (location: string) => `projects/test-project/locations/${location}`;

beforeEach(async () => {
  server = await startFakeMemorystore({ projectId: 'test-project' });
  client = localRedisClient(server.port, 'test-project');
  for (const [location, id] of [
    ['us-central1', 'a'],
    ['us-central1', 'b'],
    ['europe-west1', 'c'],
    ['asia-east1', 'd'],
    ['asia-east1', 'e'],
  ] as const) {
    const [operation] = await client.createInstance({
      parent: parent(location),
      instanceId: id,
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    await operation.promise();
  }
});
afterEach(async () => {
  await client.close();
  await server.stop();
});

test('a created instance is READY with an address once its operation is done', async () => {
  const [instance] = await client.getInstance({ name: `${parent('us-central1')}/instances/a` });
  expect(instance).toMatchObject({ state: 'READY', port: 6379 });
  expect(instance.host).toMatch(/^10\.\d+\.\d+\.\d+$/);
});

test('the adapter follows every page of an aggregated list', async () => {
  const source = localRedisSource(server.port, 'test-project', 2);
  const { instances, unreachable } = await source.list('test-project', '-');
  expect(instances.map((i) => i.name.split('/').pop())).toEqual(['d', 'e', 'c', 'a', 'b']);
  expect(unreachable).toEqual([]);
});

test('an unreachable region is reported and its instances are left out', async () => {
  server.setUnreachable(['asia-east1']);
  try {
    const { instances, unreachable } = await localRedisSource(server.port, 'test-project', 2).list('test-project', '-');
    expect(instances.map((i) => i.name.split('/').pop())).toEqual(['c', 'a', 'b']);
    expect(unreachable).toEqual(['projects/test-project/locations/asia-east1']);
  } finally {
    server.setUnreachable([]);
  }
});

test('a resize keeps the address; a delete ends in NOT_FOUND, which the adapter reads as gone', async () => {
  const name = `${parent('asia-east1')}/instances/e`;
  const [before] = await client.getInstance({ name });
  const [resize] = await client.updateInstance({
    updateMask: { paths: ['memory_size_gb'] },
    instance: { name, memorySizeGb: 4 },
  });
  const [resized] = await resize.promise();
  expect(resized).toMatchObject({ memorySizeGb: 4, host: before.host });
  expect((await client.getInstance({ name }))[0].state).toBe('READY');
  const [deletion] = await client.deleteInstance({ name });
  await deletion.promise();
  await expect(client.getInstance({ name })).rejects.toMatchObject({ code: 5 });
  expect(await localRedisSource(server.port, 'test-project').get(name)).toBeUndefined();
});

test('bad requests get the gRPC codes the real API uses', async () => {
  await expect(
    client.createInstance({ parent: parent('us-central1'), instanceId: 'a', instance: { memorySizeGb: 1 } }),
  ).rejects.toMatchObject({ code: 6 });
  await expect(
    client.createInstance({ parent: parent('us-central1'), instanceId: 'Bad_Id', instance: { memorySizeGb: 1 } }),
  ).rejects.toMatchObject({ code: 3 });
});
