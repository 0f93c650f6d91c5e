import { startControlPlane } from '../../dev/harness/control-plane/index.js';
import { componentPath } from '../../dev/harness/process.js';
import { startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { INTRUDER, publishStack, SYNC_USER } from './shared-stack.js';

/**
 * Starts the real components once for every integration test file: kube-apiserver and etcd with Istio's CRDs, and
 * the Pub/Sub server. Building them (first run only) happens here too, with progress on stderr.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // Every component is built (first run only) before any test starts, so no build ever runs inside a test's timeout.
  for (const name of ['pstest', 'istioctl', 'istio-sim']) componentPath(name); // etcd and kube-apiserver: startControlPlane builds them
  const [controlPlane, pubsub] = await Promise.all([
    startControlPlane({ users: [SYNC_USER, INTRUDER] }),
    startPubSubServer(),
  ]);
  (globalThis as Record<string, unknown>)['__MESYNC_STOP__'] = async () =>
    Promise.all([controlPlane.stop(), pubsub.stop()]);
  publishStack({
    kubeServer: controlPlane.server,
    adminKubeconfig: controlPlane.adminKubeconfigPath,
    syncUserKubeconfig: controlPlane.kubeconfigFor(SYNC_USER),
    intruderKubeconfig: controlPlane.kubeconfigFor(INTRUDER),
    pubsubHost: pubsub.host,
  });
  process.stderr.write(
    `\nreal components up in ${((Date.now() - started) / 1000).toFixed(1)}s: kube-apiserver ${controlPlane.server}, pstest ${pubsub.host}\n`,
  );
}
