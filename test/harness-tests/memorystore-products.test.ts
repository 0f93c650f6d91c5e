import type { CloudMemcacheClient } from '@google-cloud/memcache';
import type { MemorystoreClient } from '@google-cloud/memorystore';
import type { CloudRedisClusterClient } from '@google-cloud/redis-cluster';
import { memorystoreSources } from '../../shared/adapters/memorystore-sources.js';
import type { InstanceSource } from '../../shared/products/instance-source.js';
import {
  localProductClients,
  startFakeMemorystore,
  type FakeMemorystore,
} from '../../dev/harness/memorystore/index.js';

/**
 * The local Valkey and Memcached APIs through their real client libraries (each with its own google-gax), and the
 * project's sources over them: long-running operations decoded with each package's own protos, states, endpoints.
 * Each test gets an empty API of its own and creates the instances it reads.
 */
let server: FakeMemorystore;
let valkey: MemorystoreClient;
let memcache: CloudMemcacheClient;
let cluster: CloudRedisClusterClient;
let source: InstanceSource;
const parent = 'projects/test-project/locations/us-central1';

beforeEach(async () => {
  server = await startFakeMemorystore({ projectId: 'test-project' });
  ({ valkey, memcache, cluster } = localProductClients(server.port, 'test-project'));
  source = await memorystoreSources({
    project: 'test-project',
    products: ['redis', 'valkey', 'memcached', 'redis-cluster'],
    memorystoreEndpoint: { host: '127.0.0.1', port: server.port, plaintext: true },
  });
});
afterEach(async () => {
  await Promise.all([valkey.close(), memcache.close(), cluster.close()]);
  await server.stop();
});

const createValkey = async (
  id: string,
  instance: Record<string, unknown> = { mode: 'CLUSTER_DISABLED', replicaCount: 0 },
) => {
  const [operation] = await valkey.createInstance({ parent, instanceId: id, instance });
  await operation.promise();
};
const createMemcached = async (id: string) => {
  const [operation] = await memcache.createInstance({
    parent,
    instanceId: id,
    instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
  });
  await operation.promise();
};
const createCluster = async (id: string) => {
  const [operation] = await cluster.createCluster({ parent, clusterId: id, cluster: { shardCount: 3 } });
  await operation.promise();
};

test('Valkey: a create is CREATING with no endpoint, then ACTIVE with its PSC primary endpoint', async () => {
  // Long enough for the read below to see it CREATING: the first read of a process is not instant.
  server.setSettleDelay(1000);
  const [operation] = await valkey.createInstance({
    parent,
    instanceId: 'vk-1',
    instance: { mode: 'CLUSTER_DISABLED', replicaCount: 0 },
  });
  expect(await source.get(`//memorystore.googleapis.com/${parent}/instances/vk-1`)).toMatchObject({
    state: 'CREATING',
    phase: 'changing',
  });
  const [done] = await operation.promise();
  // The operation's response is the Instance, decoded with the package's own protos (enums as numbers there: 2 =
  // ACTIVE).
  expect(done).toMatchObject({ name: `${parent}/instances/vk-1`, state: 2 });
  const instance = await source.get(`//memorystore.googleapis.com/${parent}/instances/vk-1`);
  expect(instance).toMatchObject({ phase: 'ready', endpoints: [{ role: 'primary', port: 6379 }] });
  expect(instance?.endpoints).toHaveLength(1);
});

test('Valkey: adding a replica adds the reader endpoint; the primary keeps its address', async () => {
  await createValkey('vk-1');
  const name = `//memorystore.googleapis.com/${parent}/instances/vk-1`;
  const before = await source.get(name);
  const [operation] = await valkey.updateInstance({
    updateMask: { paths: ['replica_count'] },
    instance: { name: `${parent}/instances/vk-1`, replicaCount: 1 },
  });
  await operation.promise();
  const after = await source.get(name);
  expect(after?.endpoints?.map((e) => e.role)).toEqual(['primary', 'read']);
  expect(after?.endpoints?.[0]).toEqual(before?.endpoints?.[0]);
});

test('Valkey in cluster mode is a sharded target with a discovery endpoint', async () => {
  const [operation] = await valkey.createInstance({
    parent,
    instanceId: 'vk-cluster',
    instance: { mode: 'CLUSTER', shardCount: 3 },
  });
  await operation.promise();
  const instance = await source.get(`//memorystore.googleapis.com/${parent}/instances/vk-cluster`);
  expect(instance).toMatchObject({ sharded: true, endpoints: [{ role: 'discovery' }] });
  // Two PSC connections, one per service attachment: both addresses serve node ports.
  expect(instance?.nodePorts?.addresses).toHaveLength(2);
  expect(instance?.nodePorts?.addresses).toContain(instance?.endpoints?.[0]?.address);
});

test('Memcached: a create gets its discovery endpoint and one endpoint per node; a resize keeps the nodes it keeps', async () => {
  const [operation] = await memcache.createInstance({
    parent,
    instanceId: 'mc-1',
    instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
  });
  await operation.promise();
  const name = `//memcache.googleapis.com/${parent}/instances/mc-1`;
  const two = await source.get(name);
  expect(two).toMatchObject({
    phase: 'ready',
    endpoints: [{ role: 'discovery', port: 11211 }, { port: 11211 }, { port: 11211 }],
  });
  const [resize] = await memcache.updateInstance({
    updateMask: { paths: ['node_count'] },
    instance: { name: `${parent}/instances/mc-1`, nodeCount: 3 },
  });
  await resize.promise();
  const three = await source.get(name);
  expect(three?.endpoints).toHaveLength(4);
  expect(three?.endpoints?.slice(0, 3)).toEqual(two?.endpoints);
});

test('Redis Cluster: a sharded target with its discovery endpoint; a reshard keeps it', async () => {
  const [operation] = await cluster.createCluster({ parent, clusterId: 'rc-1', cluster: { shardCount: 3 } });
  await operation.promise();
  const name = `//redis.googleapis.com/${parent}/clusters/rc-1`;
  const created = await source.get(name);
  expect(created).toMatchObject({
    state: 'ACTIVE',
    phase: 'ready',
    sharded: true,
    endpoints: [{ role: 'discovery', port: 6379 }],
  });
  const [reshard] = await cluster.updateCluster({
    updateMask: { paths: ['shard_count'] },
    cluster: { name: `${parent}/clusters/rc-1`, shardCount: 5 },
  });
  await reshard.promise();
  expect((await source.get(name))?.endpoints).toEqual(created?.endpoints);
  // As a recorded real cluster: each PSC connection again in clusterEndpoints, the first typed DISCOVERY.
  const [raw] = await cluster.getCluster({ name: `${parent}/clusters/rc-1` });
  expect(raw.clusterEndpoints?.[0]?.connections?.map((c) => c.pscAutoConnection?.connectionType)).toEqual([
    'CONNECTION_TYPE_DISCOVERY',
    'CONNECTION_TYPE_UNSPECIFIED',
  ]);
});

test('Redis Cluster with only user-registered connections: reached through the DISCOVERY connection', async () => {
  const [operation] = await cluster.createCluster({ parent, clusterId: 'rc-user', cluster: { shardCount: 3 } });
  await operation.promise();
  await server.reshape(`${parent}/clusters/rc-user`, (resource) => {
    const network = 'projects/test-project/global/networks/default';
    resource['discoveryEndpoints'] = [];
    resource['pscConnections'] = [];
    resource['clusterEndpoints'] = [
      {
        connections: [
          { pscConnection: { address: '10.77.0.2', network, connectionType: 'CONNECTION_TYPE_DISCOVERY' } },
          { pscConnection: { address: '10.77.0.3', network } },
        ],
      },
    ];
  });
  expect(await source.get(`//redis.googleapis.com/${parent}/clusters/rc-user`)).toMatchObject({
    endpoints: [{ role: 'discovery', address: '10.77.0.2', port: 6379 }],
    nodePorts: { addresses: ['10.77.0.2', '10.77.0.3'] },
  });
});

test('one listing reads every product; a deleted instance is NOT_FOUND', async () => {
  await createValkey('vk-1');
  await createValkey('vk-cluster', { mode: 'CLUSTER', shardCount: 3 });
  await createMemcached('mc-1');
  await createCluster('rc-1');
  const listed = await source.list('test-project', '-');
  expect(listed.instances.map((i) => i.name).sort()).toEqual([
    `//memcache.googleapis.com/${parent}/instances/mc-1`,
    `//memorystore.googleapis.com/${parent}/instances/vk-1`,
    `//memorystore.googleapis.com/${parent}/instances/vk-cluster`,
    `//redis.googleapis.com/${parent}/clusters/rc-1`,
  ]);
  const [operation] = await valkey.deleteInstance({ name: `${parent}/instances/vk-cluster` });
  await operation.promise();
  expect(await source.get(`//memorystore.googleapis.com/${parent}/instances/vk-cluster`)).toBeUndefined();
});

test('each product is on the VPC network its create request names, else the project’s `default`', async () => {
  const net = (n: string) => `projects/host-project/global/networks/${n}`;
  const auto = { network: net('vk'), projectId: 'test-project' };
  await createValkey('vk-net', {
    mode: 'CLUSTER_DISABLED',
    endpoints: [{ connections: [{ pscAutoConnection: auto }] }],
  });
  await createValkey('vk-old', { mode: 'CLUSTER_DISABLED', pscAutoConnections: [{ ...auto, network: net('old') }] });
  await createValkey('vk-default');
  const [mc] = await memcache.createInstance({
    parent,
    instanceId: 'mc-net',
    instance: { nodeCount: 1, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 }, authorizedNetwork: net('mc') },
  });
  await mc.promise();
  await createMemcached('mc-default');
  const [rc] = await cluster.createCluster({
    parent,
    clusterId: 'rc-net',
    cluster: { shardCount: 3, pscConfigs: [{ network: net('rc') }] },
  });
  await rc.promise();
  const networksOf = async (name: string) => (await source.get(name))?.networks;
  expect(await networksOf(`//memorystore.googleapis.com/${parent}/instances/vk-net`)).toEqual([net('vk')]);
  expect(await networksOf(`//memorystore.googleapis.com/${parent}/instances/vk-old`)).toEqual([net('old')]);
  expect(await networksOf(`//memorystore.googleapis.com/${parent}/instances/vk-default`)).toEqual([
    'projects/test-project/global/networks/default',
  ]);
  expect(await networksOf(`//memcache.googleapis.com/${parent}/instances/mc-net`)).toEqual([net('mc')]);
  expect(await networksOf(`//memcache.googleapis.com/${parent}/instances/mc-default`)).toEqual([
    'projects/test-project/global/networks/default',
  ]);
  expect(await networksOf(`//redis.googleapis.com/${parent}/clusters/rc-net`)).toEqual([net('rc')]);
});
