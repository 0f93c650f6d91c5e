import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { desiredState, type InstanceObservation } from '../../../shared/plan/desired-state.js';
import { nodePortsEntryName, serviceEntryName } from '../../../shared/render/names.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import {
  activeValkey,
  memcachedName,
  nameOf,
  readyInstance,
  readyMemcached,
  valkeyName,
} from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes, type World } from '../../fixtures/plan-harness.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { parseInstanceName } from '../../../shared/products/instance-name.js';

const RELATIVE = 'projects/test-project/locations/us-central1/clusters/ledger';
const rc = parseInstanceName(`//redis.googleapis.com/${RELATIVE}`)!;
const clusterWith = (addresses: string[]): MemorystoreInstance =>
  toRedisClusterInstance({
    name: RELATIVE,
    state: 'ACTIVE',
    discoveryEndpoints: [{ address: addresses[0]!, port: 6379 }],
    pscConnections: addresses.map((address) => ({ address })),
  });
const ledger = { name: rc, instance: clusterWith(['10.40.0.2', '10.40.0.3']) };
/** 11000-13047 in 32 blocks of 64 ports. */
const FIRST_PORTS = Array.from({ length: 32 }, (_, i) => 11000 + 64 * i);
const nodeEntries = FIRST_PORTS.map((p) => `ServiceEntry/${nodePortsEntryName(rc, p)}`);
const ON = { SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true' };

/** Every product, a sharded target of each kind among them. */
const allProducts = (): InstanceObservation[] => [
  { name: nameOf('orders'), instance: readyInstance('orders') },
  { name: valkeyName('vk-plain'), instance: activeValkey('vk-plain', { reader: '10.20.0.4' }) },
  { name: valkeyName('vk-shards'), instance: activeValkey('vk-shards', { mode: 'CLUSTER' }) },
  { name: memcachedName('mc-1'), instance: readyMemcached('mc-1') },
  ledger,
];
const withoutNodePorts = (scope: InstanceObservation[]): InstanceObservation[] =>
  scope.map((o) => {
    if (!o.instance) return o;
    const { nodePorts: _dropped, ...before } = o.instance;
    return { ...o, instance: before };
  });

describe('SHARDED_NODE_PORTS in direct mode', () => {
  test('a Redis Cluster gets its discovery ServiceEntry and 32 node-port ServiceEntries; a second round writes nothing', () => {
    const first = plan(emptyWorld(), [ledger], ON);
    expect(writes(first)).toEqual([
      `create ServiceEntry/${serviceEntryName(rc, 'discovery')}`,
      ...nodeEntries.map((e) => `create ${e}`),
    ]);
    const world = apply(emptyWorld(), first);
    expect(writes(plan(world, [ledger], ON))).toEqual([]);
  });

  test('a Valkey instance in cluster mode gets them too, on its PSC address', () => {
    const vk = valkeyName('vk-shards');
    const world = apply(
      emptyWorld(),
      plan(emptyWorld(), [{ name: vk, instance: activeValkey('vk-shards', { mode: 'CLUSTER' }) }], ON),
    );
    expect(objectsOf(world, 'ServiceEntry').map((o) => o.metadata.name)).toEqual([
      serviceEntryName(vk, 'discovery'),
      ...FIRST_PORTS.map((p) => nodePortsEntryName(vk, p)),
    ]);
    expect(
      new Set(
        objectsOf(world, 'ServiceEntry')
          .slice(1)
          .map((o) => JSON.stringify(o.spec['addresses'])),
      ),
    ).toEqual(new Set(['["10.20.0.2/32"]']));
  });

  test('a new PSC address updates the 32 node-port ServiceEntries in place (same names)', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [ledger], ON));
    const moved = plan(world, [{ name: rc, instance: clusterWith(['10.40.0.2', '10.40.0.3', '10.40.0.4']) }], ON);
    expect(writes(moved)).toEqual(nodeEntries.map((e) => `update ${e}`));
    expect(
      moved.changes.filter((c) => c.target === 'object').find((c) => c.action === 'update')?.after?.spec['addresses'],
    ).toEqual(['10.40.0.2/32', '10.40.0.3/32', '10.40.0.4/32']);
  });

  test('turned off: exactly the node-port ServiceEntries go; the discovery one stays', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [ledger], ON));
    expect(writes(plan(world, [ledger], { SYNC_MODE: 'direct' })).sort()).toEqual(
      nodeEntries.map((e) => `delete ${e}`).sort(),
    );
  });

  test('the cluster deleted: all 33 go', () => {
    const world: World = apply(emptyWorld(), plan(emptyWorld(), [ledger], ON));
    const gone = writes(plan(world, [{ name: rc }], ON));
    expect(gone.sort()).toEqual(
      [`delete ServiceEntry/${serviceEntryName(rc, 'discovery')}`, ...nodeEntries.map((e) => `delete ${e}`)].sort(),
    );
  });
});

describe('SHARDED_NODE_PORTS off, or egress-gateway mode: rendering is what it was before node ports existed', () => {
  test.each([
    ['direct, option unset', { SYNC_MODE: 'direct' }],
    ['direct, option false', { SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'false' }],
    ['egress-gateway, option unset', {}],
    ['egress-gateway, option true', { SHARDED_NODE_PORTS: 'true' }],
  ])('%s: the same objects, ports and skips as for instances with no node ports at all', (_what, env) => {
    const settings = testPlanSettings(env);
    const now = desiredState({ scope: allProducts(), owned: [], settings });
    const before = desiredState({ scope: withoutNodePorts(allProducts()), owned: [], settings });
    expect(now).toEqual(before);
    expect(now.desired.some((o) => o.metadata.name.includes('-nodes-'))).toBe(false);
  });

  test('egress-gateway mode with the option on: a sharded target is still skipped with its reason, nothing written', () => {
    expect(writes(plan(emptyWorld(), [ledger], { SHARDED_NODE_PORTS: 'true' }))).toEqual([
      `skipped Instance/${rc.full}`,
    ]);
  });
});
