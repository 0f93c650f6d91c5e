import { objectName, serviceEntryName } from '../../../shared/render/names.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { gatewayServicePort } from '../../../shared/plan/service-ports.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes, type World } from '../../fixtures/plan-harness.js';

const cache1 = nameOf('cache-1');
const base = objectName(cache1);
const observe = (id: string, fields = {}) => ({ name: nameOf(id), instance: readyInstance(id, fields) });
const gone = (id: string) => ({ name: nameOf(id) });

function gatewayPorts(world: World): number[] {
  return objectsOf(world, 'Gateway').flatMap((g) =>
    (g.spec['servers'] as Array<{ port: { number: number } }>).map((s) => s.port.number),
  );
}

/** A READY Standard-tier instance as the Redis API reports it (enums as strings), through the Redis source. */
function standardInstance(fields: Record<string, unknown>): MemorystoreInstance {
  const api = {
    name: cache1.full,
    state: 'READY',
    tier: 'STANDARD_HA',
    host: '10.0.0.3',
    port: 6379,
    locationId: 'us-central1-a',
    alternativeLocationId: 'us-central1-b',
    nodes: [
      { id: 'node-0', zone: 'us-central1-a' },
      { id: 'node-1', zone: 'us-central1-b' },
    ],
    ...fields,
  };
  return toRedisInstance(api as Parameters<typeof toRedisInstance>[0]);
}

function created(id: string, fields = {}): World {
  return apply(emptyWorld(), plan(emptyWorld(), [observe(id, fields)]));
}

describe('planning one instance through its life', () => {
  test('first round creates every object, in make-before-break order', () => {
    expect(writes(plan(emptyWorld(), [observe('cache-1')]))).toEqual([
      `create ServiceEntry/${base}`,
      'update Service',
      `create Gateway/${base}`,
      `create DestinationRule/${base}`,
      `create VirtualService/${base}`,
    ]);
  });

  test('a second round plans nothing', () => {
    const world = created('cache-1');
    expect(writes(plan(world, [observe('cache-1')]))).toEqual([]);
  });

  test('a resize plans nothing (the endpoint stays the same)', () => {
    // As the Redis API reports a Standard-tier instance before and after `memorySizeGb` went from 5 to 10: the size,
    // the replica count and the nodes change; host and port do not.
    const before = standardInstance({ memorySizeGb: 5, replicaCount: 1 });
    const world = apply(emptyWorld(), plan(emptyWorld(), [{ name: cache1, instance: before }]));
    const resized = standardInstance({
      memorySizeGb: 10,
      replicaCount: 2,
      nodes: [
        { id: 'node-0', zone: 'us-central1-a' },
        { id: 'node-1', zone: 'us-central1-b' },
        { id: 'node-2', zone: 'us-central1-c' },
      ],
    });
    expect(writes(plan(world, [{ name: cache1, instance: resized }]))).toEqual([]);
  });

  test('an instance being deleted gets nothing new, and keeps what it has until it is gone', () => {
    expect(
      writes(plan(emptyWorld(), [observe('cache-1', { state: 'DELETING' })])).filter((w) => !w.startsWith('skipped')),
    ).toEqual([]);
    const world = created('cache-1');
    expect(
      writes(plan(world, [observe('cache-1', { state: 'DELETING' })])).filter((w) => !w.startsWith('skipped')),
    ).toEqual([]);
  });

  test('a failover plans nothing', () => {
    // A failover swaps the primary's zone (currentLocationId) and the nodes' roles; the primary endpoint stays.
    const before = standardInstance({ currentLocationId: 'us-central1-a' });
    const world = apply(emptyWorld(), plan(emptyWorld(), [{ name: cache1, instance: before }]));
    const failedOver = standardInstance({
      currentLocationId: 'us-central1-b',
      nodes: [
        { id: 'node-1', zone: 'us-central1-b' },
        { id: 'node-0', zone: 'us-central1-a' },
      ],
    });
    expect(writes(plan(world, [{ name: cache1, instance: failedOver }]))).toEqual([]);
  });

  test('a re-address touches only the ServiceEntry and the VirtualService', () => {
    const world = created('cache-1');
    expect(writes(plan(world, [observe('cache-1', { host: '10.9.9.9' })]))).toEqual([
      `update ServiceEntry/${base}`,
      `update VirtualService/${base}`,
    ]);
    expect(writes(plan(world, [observe('cache-1', { port: 6380 })]))).toEqual([
      `update ServiceEntry/${base}`,
      `update VirtualService/${base}`,
    ]);
  });

  test('a deletion removes every object in reverse order and frees the port', () => {
    const world = created('cache-1');
    const deletion = plan(world, [gone('cache-1')]);
    expect(writes(deletion)).toEqual([
      `delete VirtualService/${base}`,
      `delete DestinationRule/${base}`,
      `delete Gateway/${base}`,
      'update Service',
      `delete ServiceEntry/${base}`,
    ]);
    const after = apply(world, deletion);
    expect(after.owned).toEqual([]);
    expect(after.ourPorts).toEqual([]);
  });

  test('an instance that is not READY keeps its objects, each recorded as skipped', () => {
    const world = created('cache-1');
    const result = plan(world, [observe('cache-1', { state: 'UPDATING', host: '10.7.7.7' })]);
    expect(writes(result).every((w) => w.startsWith('skipped'))).toBe(true);
    expect(result.changes.find((c) => c.action === 'skipped')?.reason).toMatch(/UPDATING/);
  });

  test('an instance with no endpoint yet is a retryable error and nothing is written', () => {
    const result = plan(emptyWorld(), [observe('cache-1', { state: 'CREATING', host: undefined, port: undefined })]);
    expect(result.errors).toEqual([
      { instance: cache1.full, message: expect.stringMatching(/CREATING.*no endpoint/), retryable: true },
    ]);
    expect(writes(result)).toEqual([]);
  });

  test('an instance not READY but with no objects yet gets them from its current endpoint', () => {
    const result = plan(emptyWorld(), [observe('cache-1', { state: 'MAINTENANCE' })]);
    expect(writes(result)).toContain(`create ServiceEntry/${base}`);
  });
});

describe('gateway ports', () => {
  test('read replicas: the read endpoint gets its own ServiceEntry and gateway port', () => {
    const world = created('cache-1');
    const withReplicas = plan(world, [observe('cache-1', { readEndpoint: '10.0.0.4', readEndpointPort: 6379 })]);
    expect(writes(withReplicas)).toEqual([
      `create ServiceEntry/${serviceEntryName(cache1, 'read')}`,
      'update Service',
      `update Gateway/${base}`,
      `update DestinationRule/${base}`,
      `update VirtualService/${base}`,
    ]);
    const after = apply(world, withReplicas);
    expect(gatewayPorts(after)).toEqual([16000, 16001]);
    expect(after.ourPorts.map((p) => p.port)).toEqual([16000, 16001]);
  });

  test('disabling read replicas frees the read port after the routes stop using it', () => {
    const world = created('cache-1', { readEndpoint: '10.0.0.4', readEndpointPort: 6379 });
    const result = plan(world, [observe('cache-1')]);
    expect(writes(result)).toEqual([
      `update Gateway/${base}`,
      `update DestinationRule/${base}`,
      `update VirtualService/${base}`,
      'update Service',
      `delete ServiceEntry/${serviceEntryName(cache1, 'read')}`,
    ]);
    expect(apply(world, result).ourPorts.map((p) => p.port)).toEqual([16000]);
  });

  test('ports are stable across rounds and never shared, whatever the order instances arrive in', () => {
    let world = created('zeta');
    world = apply(world, plan(world, [observe('alpha')]));
    world = apply(world, plan(world, [observe('mid', { readEndpoint: '10.0.0.9', readEndpointPort: 6379 })]));
    const ports = gatewayPorts(world);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.sort()).toEqual([16000, 16001, 16002, 16003]);
    const resync = plan(world, [
      observe('alpha'),
      observe('mid', { readEndpoint: '10.0.0.9', readEndpointPort: 6379 }),
      observe('zeta'),
    ]);
    expect(writes(resync)).toEqual([]);
  });

  test('a port the installer holds on the Service is never allocated', () => {
    const world = { ...emptyWorld(), installerPorts: [80, 443, 16000, 16001] };
    const after = apply(world, plan(world, [observe('cache-1')]));
    expect(gatewayPorts(after)).toEqual([16002]);
  });

  test('a freed port is not reused in the same plan that frees it', () => {
    const world = created('old');
    const after = apply(world, plan(world, [gone('old'), observe('new')]));
    expect(gatewayPorts(after)).toEqual([16001]);
  });

  test("a port whose Gateway is not written yet (a reconcile in flight) stays its instance's and is not handed out", () => {
    const other = nameOf('other');
    const inFlight = renderDirect(other, [{ role: 'primary', address: '10.0.0.8', port: 6379 }], testPlanSettings());
    const world = { ...emptyWorld(), owned: inFlight, ourPorts: [gatewayServicePort(other, 'primary', 16000)] };
    const after = apply(world, plan(world, [observe('cache-1')]));
    expect(gatewayPorts(after)).toEqual([16001]);
    expect(after.ourPorts.map((p) => p.port)).toEqual([16000, 16001]);
  });

  test('a port of ours that no live object accounts for is freed, and not reused in the same plan', () => {
    const world = {
      ...emptyWorld(),
      ourPorts: [{ name: 'tcp-vanished-0123456789-p', port: 16000, targetPort: 16000, protocol: 'TCP' }],
    };
    const after = apply(world, plan(world, [observe('cache-1')]));
    expect(after.ourPorts.map((p) => p.port)).toEqual([16001]);
  });

  test('a removal retried after the Gateway is gone still frees the port, by the Service port name', () => {
    const world = created('cache-1');
    const halfRemoved = { ...world, owned: world.owned.filter((o) => o.kind === 'ServiceEntry') };
    const after = apply(halfRemoved, plan(halfRemoved, [gone('cache-1')]));
    expect(after.owned).toEqual([]);
    expect(after.ourPorts).toEqual([]);
  });

  test('an exhausted range is an error for that instance only, recorded on it alone', () => {
    const env = { GATEWAY_PORT_RANGE: '16000-16000' };
    const world = apply(emptyWorld(), plan(emptyWorld(), [observe('a')], env));
    const result = plan(world, [observe('a'), observe('b')], env);
    expect(result.errors).toEqual([
      { instance: nameOf('b').full, message: expect.stringMatching(/GATEWAY_PORT_RANGE/), retryable: false },
    ]);
    // Nothing is written; the refused instance, which has no object to carry the reason, gets a record of its own.
    expect(writes(result)).toEqual([`skipped Instance/${nameOf('b').full}`]);
  });
});

describe('ownership', () => {
  test('a foreign object with a desired name is a conflict and is never written', () => {
    const foreign: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: base, namespace: 'istio-system', labels: { team: 'platform' } },
      spec: { hosts: ['hand.made'] },
    };
    const world = { ...emptyWorld(), foreign: [foreign] };
    const result = plan(world, [observe('cache-1')]);
    const conflict = result.changes.find((c) => c.target === 'object' && c.ref.kind === 'ServiceEntry');
    expect(conflict).toMatchObject({ action: 'conflict', before: foreign });
    expect(conflict?.target === 'object' && conflict.after).toBeUndefined();
    expect(apply(world, result).foreign).toEqual([foreign]);
  });

  test('a clash on one object writes nothing of that instance: no Gateway, DestinationRule, VirtualService or port', () => {
    const foreignVs: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: base, namespace: 'istio-system', labels: { team: 'platform' } },
      spec: { hosts: ['hand.made'] },
    };
    const world = { ...emptyWorld(), foreign: [foreignVs] };
    const result = plan(world, [observe('cache-1'), observe('cache-2')]);
    expect(writes(result).filter((w) => w.includes(base) || w === 'update Service')).toEqual([
      'update Service',
      `conflict VirtualService/${base}`,
    ]);
    const after = apply(world, result);
    expect(after.owned.filter((o) => o.metadata.name.startsWith(base))).toEqual([]);
    expect(after.ourPorts.map((p) => p.name)).toEqual([expect.stringContaining('cache-2')]);
  });

  test('a clash that appears later keeps the instance as it was, and the other objects are left alone', () => {
    const world = created('cache-1');
    const foreignSe: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: `${base}-read`, namespace: 'istio-system', labels: { team: 'platform' } },
      spec: { hosts: ['hand.made'] },
    };
    const withClash = { ...world, foreign: [foreignSe] };
    const result = plan(withClash, [observe('cache-1', { readEndpoint: '10.0.0.4', readEndpointPort: 6379 })]);
    expect(writes(result).filter((w) => !w.startsWith('skipped'))).toEqual([`conflict ServiceEntry/${base}-read`]);
    expect(apply(withClash, result)).toEqual(withClash);
  });

  test('objects of instances outside the plan are left alone', () => {
    const world = created('other');
    const result = plan(world, [observe('cache-1')]);
    expect(writes(result).some((w) => w.includes(objectName(nameOf('other'))))).toBe(false);
  });

  test('labels that others add to our objects are not drift', () => {
    const world = created('cache-1');
    world.owned = world.owned.map((o) => ({
      ...o,
      metadata: { ...o.metadata, labels: { ...o.metadata.labels, extra: 'x' } },
    }));
    expect(writes(plan(world, [observe('cache-1')]))).toEqual([]);
  });

  test('direct mode: ServiceEntry only, and a switch from egress-gateway mode removes the routing objects', () => {
    expect(writes(plan(emptyWorld(), [observe('cache-1')], { SYNC_MODE: 'direct' }))).toEqual([
      `create ServiceEntry/${base}`,
    ]);
    const world = created('cache-1');
    const result = plan(world, [observe('cache-1')], { SYNC_MODE: 'direct' });
    expect(writes(result)).toEqual([
      `delete VirtualService/${base}`,
      `delete DestinationRule/${base}`,
      `delete Gateway/${base}`,
      'update Service',
    ]);
  });
});
