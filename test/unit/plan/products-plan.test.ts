import { SHARDED_IN_GATEWAY_MODE } from '../../../shared/plan/desired-state.js';
import { nodeRole, objectName, serviceEntryName } from '../../../shared/render/names.js';
import { activeValkey, memcachedName, readyMemcached, valkeyName } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes, type World } from '../../fixtures/plan-harness.js';
import { toMemcachedInstance } from '../../../shared/products/memcached/mapper.js';

const vk = valkeyName('vk-1');
const mc = memcachedName('mc-1');

const gatewayServers = (world: World) =>
  objectsOf(world, 'Gateway').flatMap((g) => g.spec['servers'] as Array<{ port: { number: number; name: string } }>);

describe('Valkey, cluster mode disabled: like a Redis instance', () => {
  test('primary and reader get their ServiceEntries and gateway route, under valkey- names', () => {
    const base = objectName(vk);
    expect(base).toMatch(/^valkey-vk-1-[0-9a-f]{10}$/);
    expect(writes(plan(emptyWorld(), [{ name: vk, instance: activeValkey('vk-1', { reader: '10.20.0.4' }) }]))).toEqual(
      [
        `create ServiceEntry/${base}`,
        `create ServiceEntry/${serviceEntryName(vk, 'read')}`,
        'update Service',
        `create Gateway/${base}`,
        `create DestinationRule/${base}`,
        `create VirtualService/${base}`,
      ],
    );
  });

  test('UPDATING keeps its config until it is ACTIVE again', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [{ name: vk, instance: activeValkey('vk-1') }]));
    const result = plan(world, [{ name: vk, instance: activeValkey('vk-1', { state: 'UPDATING' }) }]);
    expect(result.changes.filter((c) => c.action === 'skipped').map((c) => c.reason)).toContain(
      'instance is UPDATING: current config kept until it is ACTIVE',
    );
    expect(writes(result).filter((w) => !w.startsWith('skipped'))).toEqual([]);
  });
});

describe('a sharded target (Valkey in cluster mode)', () => {
  const sharded = { name: vk, instance: activeValkey('vk-1', { mode: 'CLUSTER' }) };

  test('egress-gateway mode writes nothing and records one skip on the instance, with the reason', () => {
    const result = plan(emptyWorld(), [sharded]);
    expect(writes(result)).toEqual([`skipped Instance/${vk.full}`]);
    const skip = result.changes[0]!;
    expect(skip).toMatchObject({
      ref: { apiVersion: 'memorystore.googleapis.com/v1', kind: 'Instance', name: vk.full },
      instance: vk.full,
      reason: SHARDED_IN_GATEWAY_MODE,
    });
  });

  test('direct mode: a ServiceEntry for the discovery endpoint', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [sharded], { SYNC_MODE: 'direct' }));
    expect(
      objectsOf(world, 'ServiceEntry').map((o) => [o.metadata.name, o.spec['addresses'], o.spec['ports']]),
    ).toEqual([
      [serviceEntryName(vk, 'discovery'), ['10.20.0.2/32'], [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }]],
    ]);
  });

  test('switched from direct to egress-gateway mode: its direct ServiceEntry goes, and the skip says why', () => {
    const direct = apply(emptyWorld(), plan(emptyWorld(), [sharded], { SYNC_MODE: 'direct' }));
    expect(writes(plan(direct, [sharded]))).toEqual([
      `skipped Instance/${vk.full}`,
      `delete ServiceEntry/${serviceEntryName(vk, 'discovery')}`,
    ]);
  });
});

describe('Memcached: the discovery endpoint and every node', () => {
  const observe = (nodes: number) => ({ name: mc, instance: readyMemcached('mc-1', nodes) });

  test('egress-gateway mode: one ServiceEntry and one gateway port per endpoint', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [observe(2)]));
    expect(
      objectsOf(world, 'ServiceEntry')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(
      [
        serviceEntryName(mc, 'discovery'),
        serviceEntryName(mc, nodeRole('node-1')),
        serviceEntryName(mc, nodeRole('node-2')),
      ].sort(),
    );
    expect(objectsOf(world, 'ServiceEntry')[0]?.spec['ports']).toEqual([
      { number: 11211, name: 'tcp-memcache', protocol: 'TCP' },
    ]);
    const ports = gatewayServers(world).map((s) => s.port.number);
    expect(new Set(ports).size).toBe(3);
    expect(world.ourPorts.map((p) => p.port).sort()).toEqual([...ports].sort());
    expect(gatewayServers(world).map((s) => s.port.name)).toContain('tcp-memcache-discovery');
  });

  test('a resize keeps every remaining node on its gateway port and frees the removed node', () => {
    const three = apply(emptyWorld(), plan(emptyWorld(), [observe(3)]));
    const portOf = (world: World, role: string) =>
      gatewayServers(world).find((s) => s.port.name === `tcp-memcache-${role}`)?.port.number;
    const before = ['discovery', nodeRole('node-1'), nodeRole('node-2'), nodeRole('node-3')].map((r) =>
      portOf(three, r),
    );
    const two = apply(three, plan(three, [observe(2)]));
    expect(['discovery', nodeRole('node-1'), nodeRole('node-2')].map((r) => portOf(two, r))).toEqual(
      before.slice(0, 3),
    );
    expect(portOf(two, nodeRole('node-3'))).toBeUndefined();
    expect(objectsOf(two, 'ServiceEntry')).toHaveLength(3);
  });

  test('a second round plans nothing', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [observe(2)]));
    expect(writes(plan(world, [observe(2)]))).toEqual([]);
  });

  test('a node that moved address updates only its own ServiceEntry and route', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [observe(2)]));
    const api = {
      name: 'projects/test-project/locations/us-central1/instances/mc-1',
      state: 'READY',
      discoveryEndpoint: '10.30.0.2:11211',
      memcacheNodes: [
        { nodeId: 'node-1', host: '10.30.0.10', port: 11211 },
        { nodeId: 'node-2', host: '10.30.9.9', port: 11211 },
      ],
    };
    expect(
      writes(
        plan(world, [{ name: mc, instance: toMemcachedInstance(api as Parameters<typeof toMemcachedInstance>[0]) }]),
      ),
    ).toEqual([
      `update ServiceEntry/${serviceEntryName(mc, nodeRole('node-2'))}`,
      `update VirtualService/${objectName(mc)}`,
    ]);
  });
});
