import { resetRig } from './support/fresh-state.js';
import { gatewayRoutes, targetsOf, type Target } from './support/routing-expectations.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Gateway ports over several Services, on the real apiserver with the project's RBAC and admission policy, and
 * through Istio's own simulator: a range of 6 ports in blocks of 2, so the first block is on the egress gateway
 * Service and the others on the deployment's own `istio-egressgateway-ports-16002` and `-16004` (named by their
 * first port), created by the first port's write and deleted with the last. Ports are freed at once (no quarantine).
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-port-services',
    env: { GATEWAY_PORT_RANGE: '16000-16005', GATEWAY_PORTS_PER_SERVICE: '2', PORT_QUARANTINE_SECONDS: '0' },
  });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const created = async (id: string, fields: Record<string, unknown> = {}): Promise<Target[]> =>
  targetsOf(rig, await rig.createInstance(id, fields));

async function expectRouting(routed: readonly Target[], blocked: readonly Target[], step: string): Promise<void> {
  const { actual, expected, dangling } = await gatewayRoutes(rig, routed, blocked);
  expect({ step, lines: actual }).toEqual({ step, lines: expected });
  expect(dangling).toEqual([]);
}

/** Each Service in the gateway's namespace with the ports on it, by name. */
async function portsByService(): Promise<Record<string, number[]>> {
  const byService: Record<string, number[]> = {};
  for (const port of await rig.cluster.gatewayServicePorts())
    if (port.name.startsWith('tcp-')) (byService[port.service] ??= []).push(port.port);
  for (const service of await rig.cluster.gatewayServices()) byService[service.metadata.name] ??= [];
  return byService;
}

const READ_REPLICAS = { readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 } as const;

describe('gateway ports over several Services', () => {
  test('instances fill the blocks in order, each on one Service, routed through it; an emptied Service goes', async () => {
    const a = await created('blocks-a', READ_REPLICAS);
    const b = await created('blocks-b');
    const c = await created('blocks-c', READ_REPLICAS);
    await expectRouting([...a, ...b, ...c], [], 'three instances, five endpoints');
    expect(await portsByService()).toEqual({
      'istio-egressgateway': [16000, 16001],
      'istio-egressgateway-ports-16002': [16002],
      'istio-egressgateway-ports-16004': [16004, 16005],
    });
    // The Services of ours select the egress gateway's pods and carry the deployment's labels.
    const own = (await rig.cluster.gatewayServices()).filter((s) => s.metadata.name !== 'istio-egressgateway');
    expect(own.map((s) => [s.spec.selector, s.metadata.labels?.['app.kubernetes.io/managed-by']])).toEqual([
      [{ istio: 'egressgateway' }, 'memorystore-egress-sync'],
      [{ istio: 'egressgateway' }, 'memorystore-egress-sync'],
    ]);

    // A resync of the same state writes nothing.
    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    expect(body['errors']).toEqual([]);
    const summary = body['summary'] as Record<string, number>;
    expect([summary['create'], summary['update'], summary['delete']]).toEqual([undefined, undefined, undefined]);

    // The next instance takes the last free port, in the second block.
    const d = await created('blocks-d');
    expect((await portsByService())['istio-egressgateway-ports-16002']).toEqual([16002, 16003]);

    // Deleting the only instance of the last block deletes its Service.
    const [deletion] = await rig.redis.deleteInstance({ name: c[0]!.instance });
    await deletion.promise();
    await rig.idle();
    await expectRouting([...a, ...b, ...d], [...c], 'blocks-c deleted');
    expect(Object.keys(await portsByService()).sort()).toEqual([
      'istio-egressgateway',
      'istio-egressgateway-ports-16002',
    ]);

    // An instance that gains an endpoint its block cannot hold is refused whole, though another block has room: its
    // ports stay on one Service, where its one DestinationRule points.
    const [update] = await rig.redis.updateInstance({
      updateMask: { paths: ['read_replicas_mode', 'replica_count'] },
      instance: { name: b[0]!.instance, ...READ_REPLICAS },
    });
    await update.promise();
    await rig.idle();
    const [bPrimary, bRead] = targetsOf(rig, b[0]!.instance);
    await expectRouting([...a, bPrimary!, ...d], [bRead!, ...c], 'blocks-b cannot grow in its block');
    // A resync reports why, naming the block, and the range too (the refusal metric counts GATEWAY_PORT_RANGE).
    const refused = await rig.resync();
    const errors = refused.body['errors'] as Array<{ instance: string; message: string }>;
    expect(errors.map((e) => e.instance)).toEqual([b[0]!.instance]);
    expect(errors[0]!.message).toMatch(/on the Service its ports are on .*GATEWAY_PORT_RANGE 16000-16005/);
    expect(Object.keys(await portsByService()).sort()).toEqual([
      'istio-egressgateway',
      'istio-egressgateway-ports-16002',
    ]);
  }, 240_000);
});
