import { REPO_ROOT } from '../../dev/harness/process.js';
import { startRigStack } from '../../dev/rig/stack.js';
import { INTRUDER, publishStack, SYNC_USER } from './shared-stack.js';

/**
 * Starts the real components once for every integration test file: kube-apiserver and etcd with Istio's CRDs, and
 * the Pub/Sub server. Building them (first run only) happens here too, with progress on stderr, so no build ever runs
 * inside a test's timeout.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // Tests that serve the functions in the real Functions Framework run the deployed bundle (package.json main): it is
  // rebuilt from the sources first (under a second), so a test never runs a stale one.
  await import(`${REPO_ROOT}functions/bundle.mjs`);
  const stack = await startRigStack({ users: [SYNC_USER, INTRUDER] });
  (globalThis as Record<string, unknown>)['__MESYNC_STOP__'] = () => stack.stop();
  const { controlPlane } = stack;
  publishStack({
    kubeServer: controlPlane.server,
    adminKubeconfig: controlPlane.adminKubeconfigPath,
    syncUserKubeconfig: controlPlane.kubeconfigFor(SYNC_USER),
    intruderKubeconfig: controlPlane.kubeconfigFor(INTRUDER),
    pubsubHost: stack.pubsubHost,
  });
  process.stderr.write(
    `\nreal components up in ${((Date.now() - started) / 1000).toFixed(1)}s: kube-apiserver ${controlPlane.server}, pstest ${stack.pubsubHost}\n`,
  );
}
