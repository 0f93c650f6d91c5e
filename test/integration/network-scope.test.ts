import { instanceNameOf } from '../../shared/model/k8s-object.js';
import { serviceEntryName } from '../../shared/render/names.js';
import { memcachedName, nameOf, valkeyName } from '../fixtures/instances.js';
import { productInstances } from './support/product-instances.js';
import { resetRig } from './support/fresh-state.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Network scoping through the event path on the real stack: instances on two VPC networks, a cluster whose pods
 * reach one of them. Each instance is created through its product's API; its audit entries reach the function over
 * Pub/Sub, which reads it from the local API and writes (or does not write) to the real apiserver.
 */
const net = (n: string) => `projects/test-project/global/networks/${n}`;
const PARENT = 'projects/test-project/locations/us-central1';

let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-network-scope',
    env: { MEMORYSTORE_PRODUCTS: 'redis,valkey,memcached', CLUSTER_NETWORKS: net('mesh') },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const objectsOf = async (full: string) =>
  [...(await rig.cluster.istioObjects()).values()].filter((o) => instanceNameOf(o) === full);

describe('a cluster whose pods reach one of two VPC networks', () => {
  test('a Redis instance on its network is written; one on the other is skipped with one record and nothing else', async () => {
    const mark = rig.audit.count;
    const meshed = await rig.createInstance('on-mesh', { authorizedNetwork: net('mesh') });
    const other = await rig.createInstance('on-other', { authorizedNetwork: net('other') });
    await rig.idle();
    expect((await objectsOf(meshed)).map((o) => o.kind).sort()).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'VirtualService',
    ]);
    expect(await objectsOf(other)).toEqual([]);
    const records = (await rig.audit.since(mark)).map((r) => r.record).filter((r) => r.instance?.name === other);
    // The create's first and last audit entries each reach the function: each says why, and nothing is written.
    expect(records.length).toBeGreaterThanOrEqual(1);
    for (const record of records)
      expect(record).toMatchObject({
        action: 'skipped',
        object: { kind: 'Instance', name: other },
        reason: expect.stringContaining(
          `instance is on VPC network ${net('other')}, which this cluster's pods do not reach`,
        ),
      });
    expect(await rig.cluster.gatewayPorts()).toHaveLength(3);
    expect(nameOf('on-other').full).toBe(other);
  });

  test('a Memcached instance whose authorizedNetwork is the other network gets nothing', async () => {
    const [operation] = await rig.products.memcache.createInstance({
      parent: PARENT,
      instanceId: 'mc-other',
      instance: { nodeCount: 1, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 }, authorizedNetwork: net('other') },
    });
    await productInstances(rig, PARENT).done(operation);
    expect(await objectsOf(memcachedName('mc-other').full)).toEqual([]);
  });

  test('a Valkey instance with endpoint groups on both networks is written with the group on the cluster’s', async () => {
    const [operation] = await rig.products.valkey.createInstance({
      parent: PARENT,
      instanceId: 'vk-both',
      instance: {
        mode: 'CLUSTER_DISABLED',
        endpoints: [{ connections: [{ pscAutoConnection: { network: net('mesh'), projectId: 'test-project' } }] }],
      },
    });
    await productInstances(rig, PARENT).done(operation);
    const entry = async () =>
      (await rig.cluster.istioObjects()).get(`ServiceEntry/${serviceEntryName(valkeyName('vk-both'), 'primary')}`);
    const meshAddress = rig.memorystore.valkeyInstances().find((i) => i.name.endsWith('/vk-both'))!.endpoints[0]!
      .connections[0]!.pscAutoConnection.ipAddress;
    expect((await entry())?.spec['addresses']).toEqual([`${meshAddress}/32`]);
    // A second group, on the other network, listed first: the cluster keeps the address on its own network.
    await rig.memorystore.reshape(`${PARENT}/instances/vk-both`, (instance) => {
      const groups = instance['endpoints'] as Array<{ connections: Array<Record<string, Record<string, unknown>>> }>;
      const auto = groups[0]!.connections[0]!['pscAutoConnection']!;
      groups.unshift({
        connections: [{ pscAutoConnection: { ...auto, ipAddress: '10.125.0.3', network: net('other') } }],
      });
    });
    await rig.idle();
    expect((await entry())?.spec['addresses']).toEqual([`${meshAddress}/32`]);
    const { body } = await rig.resync('dryRun=true');
    expect(body['errors']).toEqual([]);
  });
});
