import { ISTIO_API_VERSION } from '../../shared/model/k8s-object.js';
import { resetRig } from './support/fresh-state.js';
import { gatewayRoutes, targetsOf, type Target } from './support/routing-expectations.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Gateway ports at the edges, on the real apiserver and through Istio's own simulator: a range of two ports that
 * fills up, and ports of ours left on the Service with their objects gone. Ports are freed at once (no quarantine), so
 * a port dropped from an instance that still routes through it would be handed to the next instance straight away.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-gateway-ports',
    env: { GATEWAY_PORT_RANGE: '16000-16001', PORT_QUARANTINE_SECONDS: '0' },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const created = async (id: string): Promise<Target[]> => targetsOf(rig, await rig.createInstance(id));

async function enableReadReplicas(full: string): Promise<void> {
  const [operation] = await rig.redis.updateInstance({
    updateMask: { paths: ['read_replicas_mode', 'replica_count'] },
    instance: { name: full, readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 },
  });
  await operation.promise();
  await rig.idle();
}

/** An event for the instance that changes nothing of its endpoints (a resize). */
async function resize(full: string, memorySizeGb: number): Promise<void> {
  const [operation] = await rig.redis.updateInstance({
    updateMask: { paths: ['memory_size_gb'] },
    instance: { name: full, memorySizeGb },
  });
  await operation.promise();
  await rig.idle();
}

/** Every routed target reaches its own instance's host through its own gateway port; the blocked ones go nowhere. */
async function expectRouting(routed: readonly Target[], blocked: readonly Target[], step: string): Promise<void> {
  const { actual, expected, dangling } = await gatewayRoutes(rig, routed, blocked);
  expect({ step, lines: actual }).toEqual({ step, lines: expected });
  expect(dangling).toEqual([]);
}

describe('a full gateway port range', () => {
  test('no call reaches another instance at any step: an endpoint gained, a new instance, a resync, events', async () => {
    const a = await created('full-a');
    const b = await created('full-b');
    await expectRouting([...a, ...b], [], 'the range filled');

    await enableReadReplicas(a[0]!.instance);
    const [aPrimary, aRead] = targetsOf(rig, a[0]!.instance);
    await expectRouting([aPrimary!, ...b], [aRead!], 'full-a gained a read endpoint that does not fit');

    const c = await created('full-c');
    await expectRouting([aPrimary!, ...b], [aRead!, ...c], 'full-c created with no port left');

    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    const errors = body['errors'] as Array<{ instance: string; message: string; retryable: boolean }>;
    expect(errors.map((e) => e.instance).sort()).toEqual([a[0]!.instance, c[0]!.instance]);
    expect(errors.every((e) => /GATEWAY_PORT_RANGE 16000-16001/.test(e.message) && !e.retryable)).toBe(true);
    await expectRouting([aPrimary!, ...b], [aRead!, ...c], 'a resync');

    await resize(c[0]!.instance, 2);
    await resize(b[0]!.instance, 2);
    await expectRouting([aPrimary!, ...b], [aRead!, ...c], 'events for full-c and full-b');

    // Ports free again: the next event for each refused instance places it whole.
    const [deletion] = await rig.redis.deleteInstance({ name: b[0]!.instance });
    await deletion.promise();
    await rig.idle();
    await resize(a[0]!.instance, 2);
    await expectRouting([aPrimary!, aRead!], [...b, ...c], 'full-b deleted, full-a placed whole');
  }, 180_000);
});

describe('our ports left on the Service with their objects gone', () => {
  test('a resync gives the instance its own port back instead of failing on a duplicate port name', async () => {
    const a = await created('orphan-a');
    const before = await rig.cluster.gatewayServicePorts();
    for (const object of (await rig.cluster.istioObjects()).values())
      await rig.cluster.api.delete({
        apiVersion: ISTIO_API_VERSION,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: rig.namespace },
      });
    const { status, body } = await rig.resync();
    expect({ status, error: body['error'] }).toEqual({ status: 200, error: undefined });
    expect(await rig.cluster.gatewayServicePorts()).toEqual(before);
    await expectRouting(a, [], 'after the resync');
  }, 120_000);
});
