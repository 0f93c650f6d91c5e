import { parseInstanceName } from '../../shared/products/instance-name.js';
import { objectName, serviceEntryName } from '../../shared/render/names.js';
import { renderDirect } from '../../shared/render/render-instance.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { gatewayRoutes, memcachedTargetsOf } from './support/routing-expectations.js';
import { resetRig } from './support/fresh-state.js';
import { productInstances } from './support/product-instances.js';
import { checkWithIstioctl } from './support/istio-checks.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Valkey and Memcached through the whole event path, beside Redis: their APIs' calls → their audit entries on Pub/Sub
 * → syncOnAuditLog → Istio objects in the real kube-apiserver; and one resync across every product. Every test starts
 * from an empty namespace and APIs, and makes the instances it is about itself.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-products',
    env: { MEMORYSTORE_PRODUCTS: 'redis,valkey,memcached,redis-cluster' },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const parent = 'projects/test-project/locations/us-central1';
const valkeyOf = (id: string) => parseInstanceName(`//memorystore.googleapis.com/${parent}/instances/${id}`)!;
const memcachedOf = (id: string) => parseInstanceName(`//memcache.googleapis.com/${parent}/instances/${id}`)!;
const kindsOf = async (prefix: string) =>
  [...(await rig.cluster.istioObjects()).keys()]
    .filter((k) => k.split('/')[1]?.startsWith(prefix))
    .map((k) => k.split('/')[0])
    .sort();

// Read lazily: the rig exists once beforeAll has run.
const product = () => productInstances(rig, parent);
const done = (operation: { promise(): Promise<unknown> }) => product().done(operation);

describe('Valkey, cluster mode disabled', () => {
  const vk = valkeyOf('sessions');

  test('create: its ServiceEntry and gateway route appear, recorded against its Valkey method', async () => {
    const mark = rig.audit.count;
    const [operation] = await rig.products.valkey.createInstance({
      parent,
      instanceId: 'sessions',
      instance: { mode: 'CLUSTER_DISABLED' },
    });
    await done(operation);
    expect(await kindsOf(objectName(vk))).toEqual(['DestinationRule', 'Gateway', 'ServiceEntry', 'VirtualService']);
    const primary = rig.memorystore.valkeyInstances().find((i) => i.name === `${parent}/instances/sessions`)!
      .endpoints[0]!.connections[0]!.pscAutoConnection.ipAddress;
    expect((await rig.cluster.istioObjects()).get(`ServiceEntry/${objectName(vk)}`)?.spec['addresses']).toEqual([
      `${primary}/32`,
    ]);
    const records = await rig.audit.since(mark);
    expect(records.length).toBe(5);
    expect(
      records.every(
        (r) =>
          r.record.trigger.method_name === 'google.cloud.memorystore.v1.Memorystore.CreateInstance' &&
          r.record.instance?.name === vk.full,
      ),
    ).toBe(true);
  });

  test('a replica added: the reader gets its own ServiceEntry and gateway port', async () => {
    await product().valkey('sessions');
    const ports = (await rig.cluster.gatewayPorts()).length;
    const [operation] = await rig.products.valkey.updateInstance({
      updateMask: { paths: ['replica_count'] },
      instance: { name: `${parent}/instances/sessions`, replicaCount: 1 },
    });
    await done(operation);
    expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${serviceEntryName(vk, 'read')}`)).toBe(true);
    expect((await rig.cluster.gatewayPorts()).length).toBe(ports + 1);
  });

  test('delete: every object goes', async () => {
    await product().valkey('sessions', 1);
    expect(await kindsOf(objectName(vk))).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'ServiceEntry',
      'VirtualService',
    ]);
    const [operation] = await rig.products.valkey.deleteInstance({ name: `${parent}/instances/sessions` });
    await done(operation);
    expect(await kindsOf(objectName(vk))).toEqual([]);
  });
});

describe('Valkey in cluster mode, in egress-gateway mode', () => {
  test('nothing is written; one skipped record says why, and the log says it too', async () => {
    const [mark, logsBefore] = [rig.audit.count, rig.logs().length];
    await product().shardedValkey('shards');
    expect(await kindsOf(objectName(valkeyOf('shards')))).toEqual([]);
    const records = await rig.audit.since(mark);
    expect(records.map((r) => [r.record.action, r.record.object.kind, r.record.object.name])).toEqual([
      ['skipped', 'Instance', valkeyOf('shards').full],
    ]);
    expect(records[0]?.record.reason).toMatch(/sharded target .* cannot be routed through the egress gateway/);
    expect(
      rig
        .logs()
        .slice(logsBefore)
        .some((l) => l['message'] === 'audit record' && (l['record'] as { action?: string }).action === 'skipped'),
    ).toBe(true);
  });
});

describe('Redis Cluster, in egress-gateway mode', () => {
  const rc = parseInstanceName(`//redis.googleapis.com/${parent}/clusters/ledger`)!;
  const skipsSince = async (mark: number) =>
    (await rig.audit.since(mark)).map((r) => [r.record.action, r.record.object.name, r.record.trigger.method_name]);

  test('create and reshard: each event records a skip with the reason and writes nothing; delete leaves nothing', async () => {
    let mark = rig.audit.count;
    const [create] = await rig.products.cluster.createCluster({
      parent,
      clusterId: 'ledger',
      cluster: { shardCount: 3 },
    });
    await done(create);
    expect(await skipsSince(mark)).toEqual([
      ['skipped', rc.full, 'google.cloud.redis.cluster.v1.CloudRedisCluster.CreateCluster'],
    ]);
    mark = rig.audit.count;
    const [reshard] = await rig.products.cluster.updateCluster({
      updateMask: { paths: ['shard_count'] },
      cluster: { name: `${parent}/clusters/ledger`, shardCount: 5 },
    });
    await done(reshard);
    expect(await skipsSince(mark)).toEqual([
      ['skipped', rc.full, 'google.cloud.redis.cluster.v1.CloudRedisCluster.UpdateCluster'],
    ]);
    mark = rig.audit.count;
    const [remove] = await rig.products.cluster.deleteCluster({ name: `${parent}/clusters/ledger` });
    await done(remove);
    expect(await skipsSince(mark)).toEqual([]);
    expect(await kindsOf(objectName(rc))).toEqual([]);
  });
});

describe('Memcached', () => {
  const mc = memcachedOf('catalog');
  const serviceEntries = async () =>
    [...(await rig.cluster.istioObjects()).keys()].filter((k) => k.startsWith(`ServiceEntry/${objectName(mc)}`));

  test('create: the discovery endpoint and each node get a ServiceEntry and a gateway port', async () => {
    const ports = (await rig.cluster.gatewayPorts()).length;
    const [operation] = await rig.products.memcache.createInstance({
      parent,
      instanceId: 'catalog',
      instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
    });
    await done(operation);
    expect(await serviceEntries()).toHaveLength(3);
    expect((await rig.cluster.gatewayPorts()).length).toBe(ports + 3);
    const gateway = (await rig.cluster.istioObjects()).get(`Gateway/${objectName(mc)}`);
    expect((gateway?.spec['servers'] as unknown[]).length).toBe(3);
  });

  test('a resize to three nodes adds one node; the others keep their gateway ports', async () => {
    await product().memcached('catalog');
    const before = await rig.cluster.gatewayServicePorts();
    const [operation] = await rig.products.memcache.updateInstance({
      updateMask: { paths: ['node_count'] },
      instance: { name: `${parent}/instances/catalog`, nodeCount: 3 },
    });
    await done(operation);
    expect(await serviceEntries()).toHaveLength(4);
    const after = await rig.cluster.gatewayServicePorts();
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.length).toBe(before.length + 1);
  });

  test("Istio's simulator: each node on 11211 and the discovery endpoint leave on their own gateway port and reach their own address", async () => {
    await product().memcached('catalog', 3);
    const targets = memcachedTargetsOf(rig, mc.full);
    expect(targets).toHaveLength(4);
    expect(new Set(targets.map((t) => t.port))).toEqual(new Set([11211]));
    const { actual, expected, dangling } = await gatewayRoutes(rig, targets);
    expect(actual).toEqual(expected);
    expect(dangling).toEqual([]);
    const clusters = expected.map((line) => line.split(' ⇒ ')[1]);
    expect(new Set(clusters).size).toBe(clusters.length);
  });

  test('everything rendered for the three products passes istioctl validate and analyze with no errors or warnings', async () => {
    await product().memcached('catalog', 3);
    await rig.createInstance('orders');
    const { objects, validation, analysis } = await checkWithIstioctl(rig);
    expect(new Set(objects.map((o) => o.metadata.name.split('-')[0]))).toEqual(new Set(['redis', 'memcached']));
    expect(validation.stderr).not.toMatch(/error|warn/i);
    expect(validation.code).toBe(0);
    expect(analysis.messages.filter((m) => m.level !== 'Info')).toEqual([]);
  });

  test('delete: every object goes and its four gateway ports are freed', async () => {
    await product().memcached('catalog', 3);
    const ports = (await rig.cluster.gatewayPorts()).length;
    const [operation] = await rig.products.memcache.deleteInstance({ name: `${parent}/instances/catalog` });
    await done(operation);
    expect(await kindsOf(objectName(mc))).toEqual([]);
    expect((await rig.cluster.gatewayPorts()).length).toBe(ports - 4);
  });
});

describe('resync across every product', () => {
  test('a no-op resync finds every product as it should be, the sharded instance skipped again with its reason', async () => {
    await rig.createInstance('orders');
    await product().valkey('sessions', 1);
    await product().memcached('catalog');
    await product().shardedValkey('shards');
    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    const summary = body['summary'] as Record<string, number>;
    expect(summary['create'] ?? 0).toBe(0);
    expect(summary['update'] ?? 0).toBe(0);
    expect(summary['delete'] ?? 0).toBe(0);
    expect(summary['skipped']).toBe(1);
    expect(summary['unchanged']).toBeGreaterThan(0);
  });

  test('objects of a Memcached instance that no longer exists are pruned; the other products are left alone', async () => {
    await rig.createInstance('orders');
    await product().valkey('sessions');
    // Left by an earlier deployment, as the sync user would have written them.
    const gone = memcachedOf('vanished');
    const config = testPlanSettings({ ISTIO_NAMESPACE: rig.namespace, OWNER_ID: 'e2e', SYNC_MODE: 'direct' });
    for (const object of renderDirect(gone, [{ role: 'discovery', address: '10.60.0.1', port: 11211 }], config))
      await rig.cluster.create(object);
    const before = await rig.cluster.istioObjects();
    const { body } = await rig.resync();
    const deleted = (body['records'] as Array<{ action: string; instance: { name: string } | null }>).filter(
      (r) => r.action === 'delete',
    );
    expect(deleted.map((r) => r.instance?.name)).toEqual([gone.full]);
    const after = await rig.cluster.istioObjects();
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((k) => !k.includes(objectName(gone))).sort());
  });
});
