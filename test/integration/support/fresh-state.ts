import type { KubernetesObject } from '@kubernetes/client-node';
import { APP_NAME, INSTANCE_KINDS, LABEL_MANAGED_BY } from '../../../shared/model/k8s-object.js';
import { createEgressGatewayFixtures } from '../../../dev/harness/control-plane/index.js';
import { GATEWAY_SERVICE } from '../../../dev/rig/function-environment.js';
import { sharedStack } from '../shared-stack.js';
import type { SyncRig } from './sync-rig.js';

/** The local API's own default (dev/harness/memorystore): how long an operation runs before the instance settles. */
const DEFAULT_SETTLE_DELAY_MS = 50;

type Operation = { promise(): Promise<unknown> };
type StartedOperation = Promise<readonly [Operation, ...unknown[]]>;

/**
 * Puts a rig back where startRig left it, for a `beforeEach`: no instance in any product's local API, no Istio object
 * and no audit outbox in the namespace, the egress gateway Service as the installer made it (none of the project's
 * ports, none in quarantine), every region reachable, operations at their usual speed, and nothing in flight (no
 * operation running, no event undelivered, no audit record still on its way to the rig's reader). A test that starts
 * from here builds every instance and object it relies on itself, so it passes alone (`-t`) and in any order.
 *
 * The functions are loaded once per file (they read their configuration at load), so the rig itself stays; only what
 * the tests put in it goes. Instances are deleted through each product's API, as a person would: their deletion
 * events reach the functions like any other and are waited for before the namespace is cleared, so none of them
 * lands in the next test.
 */
export async function resetRig(rig: SyncRig): Promise<void> {
  // No operation runs once this resolves, so every instance can be deleted; events of the test still on their way
  // are delivered and handled during the one drain below, beside those of the deletions.
  await rig.memorystore.settled();
  rig.memorystore.setUnreachable([]);
  rig.memorystore.setEntryShape({});
  rig.memorystore.setSettleDelay(DEFAULT_SETTLE_DELAY_MS);
  await deleteEveryInstance(rig);
  await rig.memorystore.settled();
  await rig.idle();
  await rig.audit.all();
  await clearNamespace(rig);
}

/** Deletes every instance of every product through its API, and waits for the operations to finish. */
async function deleteEveryInstance(rig: SyncRig): Promise<void> {
  const { memorystore, redis, products } = rig;
  const started: StartedOperation[] = [
    ...memorystore.instances().map((i) => redis.deleteInstance({ name: i.name })),
    ...memorystore.valkeyInstances().map((i) => products.valkey.deleteInstance({ name: i.name })),
    ...memorystore.memcachedInstances().map((i) => products.memcache.deleteInstance({ name: i.name })),
    ...memorystore.redisClusters().map((c) => products.cluster.deleteCluster({ name: c.name })),
  ];
  await Promise.all(started.map(async (operation) => (await operation)[0].promise()));
}

/**
 * The apiserver answers 429 "storage is (re)initializing" while its watch cache is rebuilt (on a loaded machine, after
 * a slow etcd), with Retry-After: 1. The functions' own client waits and retries (kube-http.ts); the tests' client
 * does not, so a reset does it here rather than fail a test for the machine's load.
 */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 429 || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** What the tests put in the namespace goes; the Service is made again as the installer made it. */
async function clearNamespace(rig: SyncRig): Promise<void> {
  const { api, namespace } = rig.cluster;
  const remove = (object: KubernetesObject): Promise<unknown> =>
    patiently(() =>
      api.delete({
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        metadata: { name: object.metadata!.name!, namespace },
      }),
    );
  for (const { apiVersion, kind } of INSTANCE_KINDS) {
    const { items } = await patiently(() => api.list(apiVersion, kind, namespace));
    await Promise.all(items.map((item) => remove({ ...item, apiVersion, kind })));
  }
  const outboxes = await patiently(() =>
    api.list(
      'v1',
      'ConfigMap',
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      `${LABEL_MANAGED_BY}=${APP_NAME}`,
    ),
  );
  await Promise.all(outboxes.items.map((item) => remove({ ...item, apiVersion: 'v1', kind: 'ConfigMap' })));
  await remove({ apiVersion: 'v1', kind: 'Service', metadata: { name: GATEWAY_SERVICE, namespace } });
  await createEgressGatewayFixtures(sharedStack().adminKubeconfig, { namespace, service: GATEWAY_SERVICE });
  const ports = await rig.cluster.gatewayServicePorts();
  if (ports.some((p) => p.port !== 80 && p.port !== 443))
    throw new Error(`the egress gateway Service still has ports of an earlier test: ${JSON.stringify(ports)}`);
}
