import { instanceNameOf, ISTIO_API_VERSION } from '../../shared/model/k8s-object.js';
import type { InstanceName } from '../../shared/products/instance-name.js';
import { nodeRole, objectName, serviceEntryName } from '../../shared/render/names.js';
import { memcachedName, nameOf, valkeyName } from '../fixtures/instances.js';
import { productInstances } from './support/product-instances.js';
import { resetRig } from './support/fresh-state.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Memorystore data as the real APIs may report it, through the local API to the functions on the real stack: data
 * the objects cannot hold, and audit entries that do not name their instance.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-memorystore-data',
    env: { MEMORYSTORE_PRODUCTS: 'redis,valkey,memcached,redis-cluster' },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

type ReportRecord = { action: string; outcome: string; object: { kind: string }; reason?: string };

const specsOf = async (id: string): Promise<Array<[string, unknown]>> =>
  [...(await rig.cluster.istioObjects()).entries()]
    .filter(([, o]) => instanceNameOf(o) === nameOf(id).full)
    .map(([key, o]) => [key, o.spec]);

describe('data the objects cannot hold is that instance’s error alone', () => {
  test('a resync with one instance reporting port 70000 configures the others and reports the bad one', async () => {
    const bad = await rig.createInstance('bad-cache');
    await rig.createInstance('good-cache');
    const badBefore = await specsOf('bad-cache');
    await rig.memorystore.readdress(bad, { port: 70000 });
    await rig.idle();
    // Drift the resync must repair beside the bad instance: the good instance's ServiceEntry deleted by hand.
    const goodEntry = objectName(nameOf('good-cache'));
    await rig.cluster.api.delete({
      apiVersion: ISTIO_API_VERSION,
      kind: 'ServiceEntry',
      metadata: { name: goodEntry, namespace: rig.namespace },
    });

    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    const reason = `primary endpoint ${rig.memorystore.instances().find((i) => i.name === bad)?.host}:70000: port 70000 is not in 1-65535`;
    expect(body['errors']).toEqual([expect.objectContaining({ instance: bad, message: reason, retryable: false })]);
    expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${goodEntry}`)).toBe(true);
    // The bad instance keeps what it had, and each of its objects' records says why nothing was written.
    expect(await specsOf('bad-cache')).toEqual(badBefore);
    const records = (body['records'] as ReportRecord[]).filter((r) => r.action === 'skipped');
    expect(records.map((r) => r.reason)).toEqual(badBefore.map(() => reason));
  });
});

const PARENT = 'projects/test-project/locations/us-central1';
const entryOf = async (name: InstanceName, role = 'primary') =>
  (await rig.cluster.istioObjects()).get(`ServiceEntry/${serviceEntryName(name, role)}`);
type Relist = { errors: Array<{ instance: string; message: string }> };
const dryRunErrors = async (): Promise<Relist['errors']> =>
  ((await rig.resync('?dryRun=true')).body as unknown as Relist).errors;

describe('last entries that do not name their instance', () => {
  test('a trimmed request and a collection resourceName: the product is reconciled in that location', async () => {
    // Modelled on AuditLog's own description: a request may be cut down, and an operation's last entry written when
    // it ends need not name the instance; the monitored resource is then the generic audited_resource.
    rig.memorystore.setEntryShape({ trimLastRequest: true, lastResourceName: 'collection', genericResource: true });
    const full = await rig.createInstance('trimmed-cache');
    expect(await entryOf(nameOf('trimmed-cache'))).toBeDefined();
    await rig.memorystore.readdress(full, { host: '10.123.0.9' });
    await rig.idle();
    expect((await entryOf(nameOf('trimmed-cache')))?.spec['addresses']).toEqual(['10.123.0.9/32']);
  });

  test('a Valkey last entry with no resourceName: the operation name gives the location', async () => {
    rig.memorystore.setEntryShape({ trimLastRequest: true, lastResourceName: 'none', genericResource: true });
    await productInstances(rig, PARENT).valkey('vk-unnamed');
    expect(await entryOf(valkeyName('vk-unnamed'))).toBeDefined();
  });
});

describe('what the APIs report beyond the simple case, through the local API', () => {
  test('Valkey: a user-registered connection replaces one whose forwarding rule is gone (NOT_FOUND)', async () => {
    await productInstances(rig, PARENT).valkey('vk-moved');
    const full = `${PARENT}/instances/vk-moved`;
    // A user-registered connection is a `pscConnection` beside the automated `pscAutoConnection` in the group, with
    // the same fields (memorystore.proto v1: ip_address, port, connection_type, network, psc_connection_status).
    await rig.memorystore.reshape(full, (instance) => {
      const [group] = instance['endpoints'] as Array<{ connections: Array<Record<string, Record<string, unknown>>> }>;
      const auto = group!.connections[0]!['pscAutoConnection']!;
      auto['pscConnectionStatus'] = 'NOT_FOUND';
      group!.connections.push({
        pscConnection: {
          pscConnectionId: 'user-1',
          ipAddress: '10.124.0.7',
          port: 6379,
          connectionType: 'CONNECTION_TYPE_PRIMARY',
          network: auto['network'],
          projectId: 'test-project',
          pscConnectionStatus: 'ACTIVE',
        },
      });
    });
    await rig.idle();
    expect((await entryOf(valkeyName('vk-moved')))?.spec['addresses']).toEqual(['10.124.0.7/32']);
  });

  test('Valkey: endpoint groups in two VPC networks are refused, and what it had is kept', async () => {
    await productInstances(rig, PARENT).valkey('vk-twonets');
    const before = await entryOf(valkeyName('vk-twonets'));
    await rig.memorystore.reshape(`${PARENT}/instances/vk-twonets`, (instance) => {
      const groups = instance['endpoints'] as Array<{ connections: Array<Record<string, Record<string, unknown>>> }>;
      const auto = { ...groups[0]!.connections[0]!['pscAutoConnection']! };
      groups.unshift({
        connections: [
          {
            pscAutoConnection: { ...auto, ipAddress: '10.125.0.3', network: 'projects/test-project/global/networks/b' },
          },
        ],
      });
    });
    await rig.idle();
    expect((await entryOf(valkeyName('vk-twonets')))?.spec).toEqual(before?.spec);
    expect(await dryRunErrors()).toEqual([
      expect.objectContaining({
        instance: valkeyName('vk-twonets').full,
        message: expect.stringMatching(/2 VPC networks/),
      }),
    ]);
  });

  test('Memcached: a node being deleted loses its ServiceEntry; a node id reported twice is refused', async () => {
    await productInstances(rig, PARENT).memcached('mc-nodes');
    const full = `${PARENT}/instances/mc-nodes`;
    type Node = { nodeId: string; state: string };
    const nodes = (): Node[] => rig.memorystore.memcachedInstances().find((i) => i.name === full)!.memcacheNodes;
    const leaving = nodes()[1]!.nodeId;
    await rig.memorystore.reshape(full, (instance) => {
      (instance['memcacheNodes'] as Node[])[1]!.state = 'DELETING';
    });
    await rig.idle();
    expect(await entryOf(memcachedName('mc-nodes'), nodeRole(leaving))).toBeUndefined();
    expect(await entryOf(memcachedName('mc-nodes'), nodeRole(nodes()[0]!.nodeId))).toBeDefined();
    await rig.memorystore.reshape(full, (instance) => {
      const list = instance['memcacheNodes'] as Node[];
      list[1] = { ...list[1]!, nodeId: list[0]!.nodeId, state: 'READY' };
    });
    await rig.idle();
    expect(await dryRunErrors()).toEqual([
      expect.objectContaining({
        instance: memcachedName('mc-nodes').full,
        message: expect.stringMatching(/reported twice/),
      }),
    ]);
  });

  test('Redis: a host name where an address belongs is refused with the reason, and the instance keeps its config', async () => {
    const full = await rig.createInstance('named-cache');
    const before = await entryOf(nameOf('named-cache'));
    await rig.memorystore.readdress(full, { host: 'redis.internal.example' });
    await rig.idle();
    expect((await entryOf(nameOf('named-cache')))?.spec).toEqual(before?.spec);
    expect(await dryRunErrors()).toEqual([
      expect.objectContaining({ instance: full, message: expect.stringMatching(/a host name, not an IPv4 address/) }),
    ]);
  });
});
