import type { InstanceAccess } from '../../../shared/model/access.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import { LABEL_USE_WAYPOINT, waypointPolicyName } from '../../../shared/render/render-ambient.js';
import { objectName, serviceEntryName } from '../../../shared/render/names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes, type World } from '../../fixtures/plan-harness.js';

/** SYNC_MODE=ambient: ServiceEntries for the waypoint, its policy in declared mode, and the moves to and from it. */
const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });
const gone = (id: string) => ({ name: nameOf(id) });
const AMBIENT = { SYNC_MODE: 'ambient' };
const GATEWAY = { SYNC_MODE: 'egress-gateway' };
const DECLARED = { ACCESS_MODE: 'declared' };
const orders: InstanceAccess = {
  namespaces: ['orders'],
  principals: ['cluster.local/ns/billing/sa/api'],
  declaredBy: ['billing/caches', 'orders/caches'],
};
const access = new Map([[nameOf('cache-1').full, orders]]);
const kinds = (world: World) => world.owned.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const waypointOf = (o: KubeObject) => o.metadata.labels?.[LABEL_USE_WAYPOINT];

test('open mode: one ServiceEntry per endpoint, labelled for the waypoint, nothing else and no gateway port', () => {
  const world = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], AMBIENT));
  expect(kinds(world)).toEqual([`ServiceEntry/${serviceEntryName(nameOf('cache-1'), 'primary')}`]);
  expect(objectsOf(world, 'ServiceEntry').map(waypointOf)).toEqual(['waypoint']);
  expect(world.ourPorts).toEqual([]);
});

test('AMBIENT_WAYPOINT names the waypoint', () => {
  const world = apply(
    emptyWorld(),
    plan(emptyWorld(), [observe('cache-1')], { ...AMBIENT, AMBIENT_WAYPOINT: 'egress' }),
  );
  expect(objectsOf(world, 'ServiceEntry').map(waypointOf)).toEqual(['egress']);
});

test('declared mode: the policy is created before the ServiceEntry it guards and deleted after it', () => {
  const first = plan(emptyWorld(), [observe('cache-1')], { ...AMBIENT, ...DECLARED }, { access });
  const name = nameOf('cache-1');
  expect(writes(first)).toEqual([
    `create AuthorizationPolicy/${waypointPolicyName(name, 0)}`,
    `create ServiceEntry/${serviceEntryName(name, 'primary')}`,
  ]);
  const removal = plan(apply(emptyWorld(), first), [gone('cache-1')], { ...AMBIENT, ...DECLARED }, { access });
  expect(writes(removal)).toEqual([
    `delete ServiceEntry/${serviceEntryName(name, 'primary')}`,
    `delete AuthorizationPolicy/${waypointPolicyName(name, 0)}`,
  ]);
});

test('declared mode: the ServiceEntry is exported to the mesh’s namespaces only, and annotated', () => {
  const world = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], { ...AMBIENT, ...DECLARED }, { access }));
  const [entry] = objectsOf(world, 'ServiceEntry');
  // Its own namespace (the waypoint's) and the egress gateway's, here one and the same: no sidecar is given it.
  expect(entry!.spec['exportTo']).toEqual(['istio-system']);
  const apart = { ...AMBIENT, ...DECLARED, ISTIO_NAMESPACE: 'egress', EGRESS_GATEWAY_NAMESPACE: 'gateways' };
  const [elsewhere] = objectsOf(
    apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], apart, { access })),
    'ServiceEntry',
  );
  expect(elsewhere!.spec['exportTo']).toEqual(['egress', 'gateways']);
  expect(JSON.parse(entry!.metadata.annotations!['memorystore-egress-sync/access']!)).toEqual(orders);
});

/** Every plan's writes applied one at a time, with the object set seen after each. */
function steps(world: World, result: ReturnType<typeof plan>): World[] {
  const seen: World[] = [];
  let now = world;
  for (const change of result.changes) {
    now = apply(now, { changes: [change], errors: [] });
    seen.push(now);
  }
  return seen;
}

const entryOf = (world: World) => objectsOf(world, 'ServiceEntry')[0];
const policyFor = (world: World, kind: 'waypoint' | 'gateway') =>
  objectsOf(world, 'AuthorizationPolicy').find((p) => (kind === 'waypoint') === (p.spec['targetRefs'] !== undefined));

test('egress-gateway to ambient, make before break: at every write the caller has a guarded path', () => {
  const env = { ...DECLARED };
  const before = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], { ...GATEWAY, ...env }, { access }));
  expect(kinds(before)).toHaveLength(5);
  const migration = plan(before, [observe('cache-1')], { ...AMBIENT, ...env }, { access });
  const name = nameOf('cache-1');
  expect(writes(migration)).toEqual([
    `create AuthorizationPolicy/${waypointPolicyName(name, 0)}`,
    `update ServiceEntry/${serviceEntryName(name, 'primary')}`,
    `delete AuthorizationPolicy/${objectName(name)}`,
    `delete VirtualService/${objectName(name)}`,
    `delete DestinationRule/${objectName(name)}`,
    `delete Gateway/${objectName(name)}`,
    'update Service',
  ]);
  for (const world of steps(before, migration)) {
    expect(entryOf(world)).toBeDefined();
    // Served by the waypoint only once its policy is there; until then the gateway route and its policy are whole.
    if (waypointOf(entryOf(world)!)) expect(policyFor(world, 'waypoint')).toBeDefined();
    else expect(objectsOf(world, 'VirtualService')).toHaveLength(1);
  }
  const after = apply(before, migration);
  expect(kinds(after)).toEqual([
    `AuthorizationPolicy/${waypointPolicyName(name, 0)}`,
    `ServiceEntry/${serviceEntryName(name, 'primary')}`,
  ]);
  expect(after.ourPorts).toEqual([]);
  expect(writes(plan(after, [observe('cache-1')], { ...AMBIENT, ...env }, { access }))).toEqual([]);
});

test('ambient back to egress-gateway: the ServiceEntry leaves the waypoint only once the gateway route is whole', () => {
  const env = { ...DECLARED };
  const before = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], { ...AMBIENT, ...env }, { access }));
  const back = plan(before, [observe('cache-1')], { ...GATEWAY, ...env }, { access });
  const name = nameOf('cache-1');
  expect(writes(back)).toEqual([
    'update Service',
    `create Gateway/${objectName(name)}`,
    `create DestinationRule/${objectName(name)}`,
    `create VirtualService/${objectName(name)}`,
    `create AuthorizationPolicy/${objectName(name)}`,
    `update ServiceEntry/${serviceEntryName(name, 'primary')}`,
    `delete AuthorizationPolicy/${waypointPolicyName(name, 0)}`,
  ]);
  for (const world of steps(before, back)) {
    const entry = entryOf(world)!;
    if (waypointOf(entry)) expect(policyFor(world, 'waypoint')).toBeDefined();
    else expect(policyFor(world, 'gateway')).toBeDefined();
  }
  const after = apply(before, back);
  expect(objectsOf(after, 'ServiceEntry').map(waypointOf)).toEqual([undefined]);
  expect(writes(plan(after, [observe('cache-1')], { ...GATEWAY, ...env }, { access }))).toEqual([]);
});

test('direct to ambient and back in open mode: only the label changes', () => {
  const direct = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], { SYNC_MODE: 'direct' }));
  const ambient = apply(direct, plan(direct, [observe('cache-1')], AMBIENT));
  expect(objectsOf(ambient, 'ServiceEntry').map(waypointOf)).toEqual(['waypoint']);
  const again = apply(ambient, plan(ambient, [observe('cache-1')], { SYNC_MODE: 'direct' }));
  expect(objectsOf(again, 'ServiceEntry').map(waypointOf)).toEqual([undefined]);
  expect(objectsOf(again, 'ServiceEntry')[0]!.spec).toEqual(objectsOf(direct, 'ServiceEntry')[0]!.spec);
});
