import { resetRig } from './support/fresh-state.js';
import { atGateway, gatewayPortOf, gatewayRoutes, targetsOf, type Target } from './support/routing-expectations.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Where a pod's TCP connection really goes, decided by Istio's own config generation and traffic simulator on the
 * objects the functions wrote to the real apiserver (egress-gateway mode, REGISTRY_ONLY). Each expectation is a list
 * of lines `from → address:port ⇒ Envoy cluster`, so a failure reads like `istioctl proxy-config`. The undeclared
 * address is part of every simulation: it must be blocked before and after every step. Every test starts from an
 * empty namespace and creates the instances it routes to.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-routing' });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

/** A plain instance: one endpoint on 6379. */
const createA = async (): Promise<Target[]> => targetsOf(rig, await rig.createInstance('route-a'));
/** A TLS instance with read replicas: a primary and a read endpoint, both on 6378. */
const createB = async (): Promise<Target[]> =>
  targetsOf(
    rig,
    await rig.createInstance('route-b', {
      tier: 'STANDARD_HA',
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      readReplicasMode: 'READ_REPLICAS_ENABLED',
      replicaCount: 2,
    }),
  );

test('before any instance: the undeclared address is blocked', async () => {
  const { actual, expected } = await gatewayRoutes(rig, []);
  expect(actual).toEqual(expected);
});

test('create: sidecar → IP:6379 goes to the gateway subset on its own port, the gateway sends that port to the instance', async () => {
  const a = await createA();
  expect(a.map((t) => t.port)).toEqual([6379]);
  const { actual, expected, dangling } = await gatewayRoutes(rig, a);
  expect(actual).toEqual(expected);
  expect(dangling).toEqual([]);
});

test('a TLS instance with a read endpoint: 6378 and the read endpoint each leave on their own gateway port', async () => {
  const b = await createB();
  expect(b.map((t) => `${t.role}:${t.port}`)).toEqual(['primary:6378', 'read:6378']);
  const { actual, expected, dangling } = await gatewayRoutes(rig, b);
  expect(actual).toEqual(expected);
  expect(dangling).toEqual([]);
});

test("two instances: each reaches its own gateway port and host, never the other's", async () => {
  const [a, b] = [await createA(), await createB()];
  const { actual, expected, dangling } = await gatewayRoutes(rig, [...a, ...b]);
  expect(actual).toEqual(expected);
  expect(dangling).toEqual([]);
  // The expectations are only "never the other's" if no two endpoints share a gateway cluster or a host cluster.
  expect(new Set(expected).size).toBe(expected.length);
  const clusters = expected.map((line) => line.split(' ⇒ ')[1]);
  expect(new Set(clusters).size).toBe(clusters.length);
});

test('re-address: the new IP routes, the old IP is blocked', async () => {
  const [[old], b] = [await createA(), await createB()];
  await rig.memorystore.readdress(old!.instance, { host: '10.200.0.7' });
  await rig.idle();
  const a = targetsOf(rig, old!.instance);
  expect(a[0]?.address).toBe('10.200.0.7');
  const { actual, expected, dangling } = await gatewayRoutes(rig, [...a, ...b], [old!]);
  expect(actual).toEqual(expected);
  expect(dangling).toEqual([]);
});

test('delete: the IP is blocked and the gateway no longer listens on its port; the other instance still routes', async () => {
  const [a, b] = [await createA(), await createB()];
  const { port } = await gatewayPortOf(rig, a[0]!);
  const hostCluster = (await gatewayRoutes(rig, a)).expected.at(-1)!.split(' ⇒ ')[1]!;
  expect(await atGateway(rig, port)).toMatch(new RegExp(`⇒ ${hostCluster.replace(/[|.]/g, '\\$&')}$`));
  const [operation] = await rig.redis.deleteInstance({ name: a[0]!.instance });
  await operation.promise();
  await rig.idle();
  const { actual, expected } = await gatewayRoutes(rig, b, a);
  expect(actual).toEqual(expected);
  expect(await atGateway(rig, port)).toMatch(/⇒ no listener matched$/);
});
