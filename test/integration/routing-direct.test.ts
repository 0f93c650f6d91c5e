import { resetRig } from './support/fresh-state.js';
import { directRoutes, targetsOf, type Target } from './support/routing-expectations.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * `direct` mode through Istio's own simulator: only ServiceEntries are written, so a sidecar sends IP:port straight
 * to the ServiceEntry's cluster (no gateway hop); the undeclared address stays blocked at every step. A file of its
 * own: the functions read SYNC_MODE once, when they are loaded. Every test starts from an empty namespace.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-routing-direct', env: { SYNC_MODE: 'direct' } });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

/** An instance with read replicas: a primary and a read endpoint. */
const createWithReplicas = async (): Promise<Target[]> =>
  targetsOf(
    rig,
    await rig.createInstance('direct-a', {
      tier: 'STANDARD_HA',
      readReplicasMode: 'READ_REPLICAS_ENABLED',
      replicaCount: 2,
    }),
  );

test("create: sidecar → IP:port goes straight to the ServiceEntry's cluster", async () => {
  const before = await directRoutes(rig, []);
  expect(before.actual).toEqual(before.expected);
  const targets = await createWithReplicas();
  expect(targets.map((t) => t.role)).toEqual(['primary', 'read']);
  const { actual, expected, dangling } = await directRoutes(rig, targets);
  expect(actual).toEqual(expected);
  expect(dangling).toEqual([]);
});

test('delete: both addresses are blocked', async () => {
  const targets = await createWithReplicas();
  const [operation] = await rig.redis.deleteInstance({ name: targets[0]!.instance });
  await operation.promise();
  await rig.idle();
  const { actual, expected } = await directRoutes(rig, [], targets);
  expect(actual).toEqual(expected);
});
