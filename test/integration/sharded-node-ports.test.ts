import { parseInstanceName, type InstanceName } from '../../shared/products/instance-name.js';
import { ISTIO_API_VERSION, type KubeObject } from '../../shared/model/k8s-object.js';
import { nodePortsEntryName, nodePortsHost, objectName, serviceEntryName } from '../../shared/render/names.js';
import { outboundCluster, type SimCall } from '../../dev/harness/istio-sim/index.js';
import { resetRig } from './support/fresh-state.js';
import { checkWithIstioctl } from './support/istio-checks.js';
import { productInstances } from './support/product-instances.js';
import { Routing } from '../../dev/end-to-end/routing.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * SHARDED_NODE_PORTS in direct mode, end to end: a Redis Cluster and a cluster-mode Valkey instance created through
 * their local APIs, their audit entries delivered to syncOnAuditLog, which writes the discovery ServiceEntry and the
 * node-port ServiceEntries into the real kube-apiserver (Istio's CRD schema and CEL rules enforced), as the functions'
 * own user. Then istioctl and Istio's simulator judge what was stored. A file of its own: the functions read the
 * configuration once, when they are loaded. Every test starts from an empty namespace and APIs, and creates the
 * sharded targets it is about.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-sharded-nodes',
    env: { SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true', MEMORYSTORE_PRODUCTS: 'redis,valkey,redis-cluster' },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const parent = 'projects/test-project/locations/us-central1';
const rc = parseInstanceName(`//redis.googleapis.com/${parent}/clusters/ledger`)!;
const vk = parseInstanceName(`//memorystore.googleapis.com/${parent}/instances/shards`)!;
/** 11000-13047 in 32 blocks of 64 ports. */
const FIRST_PORTS = Array.from({ length: 32 }, (_, i) => 11000 + 64 * i);
const SUFFIX = 'memorystore.internal';

const objectsOf = async (instance: InstanceName): Promise<KubeObject[]> =>
  [...(await rig.cluster.istioObjects()).values()].filter((o) => o.metadata.name.startsWith(objectName(instance)));
const nodeEntries = (objects: readonly KubeObject[]): KubeObject[] =>
  objects.filter((o) => o.metadata.name.includes('-nodes-'));
const portsOf = (o: KubeObject): number[] => (o.spec['ports'] as Array<{ number: number }>).map((p) => p.number);
const every = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** The block a node port falls in, and so the host of the ServiceEntry that declares it. */
const blockOf = (port: number): number => FIRST_PORTS.filter((p) => p <= port).at(-1)!;

// Read lazily: the rig exists once beforeAll has run.
const product = () => productInstances(rig, parent);
const done = (operation: { promise(): Promise<unknown> }) => product().done(operation);
/** The Redis Cluster `ledger` and the cluster-mode Valkey instance `shards`, as the tests name them. */
const ledger = () => product().redisCluster('ledger');
const shards = () => product().shardedValkey('shards');

/** The cluster's PSC addresses as the local API reports them (not as the functions rendered them). */
const clusterAddresses = (): string[] =>
  rig.memorystore
    .redisClusters()
    .find((c) => c.name === `${parent}/clusters/ledger`)!
    .pscConnections.map((c) => c.address)
    .sort();

describe('Redis Cluster, direct mode, SHARDED_NODE_PORTS=true', () => {
  test('create: the discovery ServiceEntry and 32 node-port ServiceEntries are stored, covering 11000-13047 on both PSC addresses', async () => {
    const mark = rig.audit.count;
    const [operation] = await rig.products.cluster.createCluster({
      parent,
      clusterId: 'ledger',
      cluster: { shardCount: 3 },
    });
    await done(operation);
    const objects = await objectsOf(rc);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [serviceEntryName(rc, 'discovery'), ...FIRST_PORTS.map((p) => nodePortsEntryName(rc, p))]
        .map((n) => `ServiceEntry/${n}`)
        .sort(),
    );
    const nodes = nodeEntries(objects);
    expect(nodes.flatMap(portsOf).sort((a, b) => a - b)).toEqual(every(11000, 13047));
    expect(new Set(nodes.map((o) => JSON.stringify(o.spec['addresses'])))).toEqual(
      new Set([JSON.stringify(clusterAddresses().map((a) => `${a}/32`))]),
    );
    expect(nodes.every((o) => o.spec['resolution'] === 'NONE' && o.spec['endpoints'] === undefined)).toBe(true);
    const records = await rig.audit.since(mark);
    expect(records.map((r) => [r.record.action, r.record.object.name]).sort()).toEqual(
      objects.map((o) => ['create', o.metadata.name]).sort(),
    );
    expect(
      records.every(
        (r) => r.record.trigger.method_name === 'google.cloud.redis.cluster.v1.CloudRedisCluster.CreateCluster',
      ),
    ).toBe(true);
  });

  test("Istio's CRD holds at most 256 ports in a ServiceEntry: one more is refused, so the range must be split", async () => {
    const ports = every(20000, 20256).map((number) => ({ number, name: `tcp-${number}`, protocol: 'TCP' }));
    const tooMany: KubeObject = {
      apiVersion: ISTIO_API_VERSION,
      kind: 'ServiceEntry',
      metadata: { name: 'too-many-ports', namespace: rig.namespace },
      spec: {
        hosts: ['too-many.example.internal'],
        addresses: ['10.99.0.1/32'],
        ports,
        location: 'MESH_EXTERNAL',
        resolution: 'NONE',
      },
    };
    await expect(rig.cluster.create(tooMany)).rejects.toThrow(/must have at most 256 items|Too many/);
  });

  test('istioctl validate and analyze accept everything written, with no errors or warnings', async () => {
    await ledger();
    const { objects, validation, analysis } = await checkWithIstioctl(rig);
    expect(nodeEntries(objects)).toHaveLength(32);
    expect(validation.stderr).not.toMatch(/error|warn/i);
    expect(validation.code).toBe(0);
    expect(analysis.messages.filter((m) => m.level !== 'Info')).toEqual([]);
  });

  test("Istio's simulator: a sidecar's connection to a node port goes on to the address dialled; without the node-port entries it is BlackHoleCluster", async () => {
    await ledger();
    const routing = new Routing(rig.cluster);
    const [first, second] = clusterAddresses();
    const nodeCalls: SimCall[] = [
      [first!, 11000],
      [second!, 11255],
      [first!, 11256],
      [second!, 12345],
      [first!, 13047],
    ].map(([address, port]) => ({ from: 'sidecar', address: String(address), port: Number(port) }));
    const outside: SimCall[] = [
      { from: 'sidecar', address: first!, port: 10999 },
      { from: 'sidecar', address: second!, port: 13048 },
      { from: 'sidecar', address: '10.250.250.250', port: 11000 },
    ];
    const discovery: SimCall = { from: 'sidecar', address: first!, port: 6379 };
    const calls = [...nodeCalls, ...outside, discovery];
    const { results } = await routing.simulate(calls);
    expect(results.map((r) => [r.listener, r.cluster, r.clusterType])).toEqual([
      ...nodeCalls.map((c) => [
        `${c.address}_${c.port}`,
        outboundCluster(c.port, '', nodePortsHost(rc, blockOf(c.port), SUFFIX)),
        'ORIGINAL_DST',
      ]),
      ...outside.map(() => ['virtualOutbound', 'BlackHoleCluster', 'STATIC']),
      [
        `${first}_6379`,
        outboundCluster(6379, '', `discovery.ledger.rediscluster.us-central1.test-project.${SUFFIX}`),
        'EDS',
      ],
    ]);
    const without = await routing.simulate(nodeCalls, (o) => !o.metadata.name.includes('-nodes-'));
    expect(without.results.map((r) => r.cluster)).toEqual(nodeCalls.map(() => 'BlackHoleCluster'));
  });

  test("the cost, by Istio's own config generation: each PSC address adds 2,048 listeners and the target 2,048 clusters to every sidecar", async () => {
    await ledger();
    const routing = new Routing(rig.cluster);
    const isNodes = (o: KubeObject): boolean => o.metadata.name.startsWith(`${objectName(rc)}-nodes-`);
    const withNodes = await routing.simulate([]);
    const without = await routing.simulate([], (o) => !isNodes(o));
    const added = (proxy: string, field: 'listeners' | 'clusters'): number =>
      (withNodes.cost[proxy]?.[field] ?? 0) - (without.cost[proxy]?.[field] ?? 0);
    expect(added('sidecar', 'listeners')).toBe(clusterAddresses().length * 2048);
    expect(added('sidecar', 'clusters')).toBe(2048);
    // exportTo "*": the egress gateway is given the clusters too (a gateway has no outbound listeners of its own).
    expect(added('egress-gateway', 'clusters')).toBe(2048);
  });

  test('a reshard moves no address: nothing is written', async () => {
    await ledger();
    const mark = rig.audit.count;
    const delivered = rig.deliveries().length;
    const [operation] = await rig.products.cluster.updateCluster({
      updateMask: { paths: ['shard_count'] },
      cluster: { name: `${parent}/clusters/ledger`, shardCount: 5 },
    });
    await done(operation);
    expect(rig.deliveries().length).toBeGreaterThan(delivered);
    expect((await rig.audit.since(mark)).filter((r) => r.record.action !== 'unchanged')).toEqual([]);
  });
});

describe('Valkey in cluster mode, direct mode, SHARDED_NODE_PORTS=true', () => {
  test('its node ports on both PSC addresses of its endpoint group (DISCOVERY and the second attachment)', async () => {
    await shards();
    const api = rig.memorystore.valkeyInstances().find((i) => i.name === `${parent}/instances/shards`)!;
    const addresses = api.endpoints[0]!.connections.map((c) => `${c.pscAutoConnection.ipAddress}/32`).sort();
    expect(addresses).toHaveLength(2);
    const nodes = nodeEntries(await objectsOf(vk));
    expect(nodes.map((o) => o.metadata.name).sort()).toEqual(FIRST_PORTS.map((p) => nodePortsEntryName(vk, p)).sort());
    expect(nodes.every((o) => JSON.stringify(o.spec['addresses']) === JSON.stringify(addresses))).toBe(true);
  });
});

describe('deletion and resync', () => {
  test('a no-op resync finds both sharded targets as they should be', async () => {
    await ledger();
    await shards();
    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    const summary = body['summary'] as Record<string, number>;
    expect([summary['create'] ?? 0, summary['update'] ?? 0, summary['delete'] ?? 0]).toEqual([0, 0, 0]);
    expect(summary['unchanged']).toBe(66);
  });

  test('deleting the cluster removes all 33 of its ServiceEntries, each recorded; the Valkey instance keeps its own', async () => {
    await ledger();
    await shards();
    const before = (await objectsOf(rc)).map((o) => o.metadata.name).sort();
    const mark = rig.audit.count;
    const [operation] = await rig.products.cluster.deleteCluster({ name: `${parent}/clusters/ledger` });
    await done(operation);
    expect(await objectsOf(rc)).toEqual([]);
    const records = await rig.audit.since(mark);
    expect(records.map((r) => r.record.action)).toEqual(before.map(() => 'delete'));
    expect(records.map((r) => r.record.object.name).sort()).toEqual(before);
    expect(nodeEntries(await objectsOf(vk))).toHaveLength(32);
  });
});
