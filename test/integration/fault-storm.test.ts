import { jest } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../../dev/harness/kube-proxy/fault-proxy.js';
import { sharedStack } from './shared-stack.js';
import { deliveryLimit } from '../../dev/end-to-end/delivery-limit.js';
import { stormPhase } from '../../dev/end-to-end/storm-phase.js';
import type { SyncRig } from './support/sync-rig.js';

/**
 * A bad minute of the apiserver: every request of the functions goes through a proxy that fails about one in five
 * (429 with Retry-After 0 or 1, 500, 503, a reset connection) while ~30 events of creates, updates and deletes
 * arrive. Every event must be acknowledged within the delivery limit Terraform sets before dead-lettering, and the
 * cluster must end as a fresh resync would plan it.
 *
 * FAULT_TEST_KUBE_ATTEMPTS=1 turns the Kubernetes client's in-process retries off (test code only), to watch this
 * test fail without them.
 */
const KUBE_ATTEMPTS = process.env['FAULT_TEST_KUBE_ATTEMPTS'];
if (KUBE_ATTEMPTS) {
  const actual = await import('../../shared/adapters/kube/kube-http.js');
  class KubeHttpWithAttempts extends actual.KubeHttp {
    constructor(...[config, options]: ConstructorParameters<typeof actual.KubeHttp>) {
      super(config, { ...options, attempts: Number(KUBE_ATTEMPTS) });
    }
  }
  jest.unstable_mockModule('../../shared/adapters/kube/kube-http.js', () => ({
    ...actual,
    KubeHttp: KubeHttpWithAttempts,
  }));
}
const { startRig } = await import('./support/sync-rig.js');

const SEED = Number(process.env['FAULT_TEST_SEED'] ?? 20261125);
const CHANGES = 15; // two audit entries each: about 30 events
let proxy: FaultProxy;
let rig: SyncRig;

beforeAll(async () => {
  // The Functions Framework prints each thrown error (a redelivery asked for) to stderr: many here, by design.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  proxy = await startFaultProxy(
    sharedStack().syncUserKubeconfig,
    join(mkdtempSync(join(tmpdir(), 'fault-storm-')), 'proxy.kubeconfig'),
  );
  rig = await startRig({ namespace: 'e2e-fault-storm', env: { KUBECONFIG: proxy.kubeconfig } });
}, 120_000);
afterAll(async () => {
  await rig?.stop();
  await proxy?.stop();
});

test('under a 20% fault mix every event converges within the delivery limit, and the cluster ends as planned', async () => {
  const { figures, notIdle, injected } = await stormPhase(rig, proxy, {
    changes: CHANGES,
    concurrency: 6,
    faultRate: 0.2,
    seed: SEED,
    idleTimeoutMs: 150_000,
  });
  // The faults really happened, in every kind of the mix.
  expect(Object.values(injected).every((n) => n > 0)).toBe(true);
  expect(figures.events).toBeGreaterThanOrEqual(2 * CHANGES);
  expect(figures.maxDeliveries).toBeLessThanOrEqual(await deliveryLimit());
  expect(figures.unacknowledged).toBe(0);
  expect(notIdle).toBeUndefined();
  expect(figures.findings).toMatchObject({
    missing: [],
    halfConfigured: [],
    orphaned: [],
    duplicatePorts: [],
    unservedPorts: [],
  });
  expect(figures.findings.configured.length).toBe(rig.memorystore.instances().length);
  expect(figures.dryRunStatus).toBe(200);
  expect(figures.divergence).toEqual([]);
  expect(figures.foreignTouched).toEqual([]);
}, 240_000);
