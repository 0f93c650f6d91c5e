import { jest } from '@jest/globals';

// The Kubernetes client library costs a cold start's first event about 0.6 CPU-s and 85 MiB RSS to load
// (npm run bench:modules), and production needs it only to read a kubeconfig. Here loading it fails, so any
// import of it on the way to a GKE cluster (a static one in these modules, or a dynamic one on the GKE branch) fails
// the test.
let loads = 0;
jest.unstable_mockModule('@kubernetes/client-node', () => {
  loads++;
  throw new Error('@kubernetes/client-node was loaded');
});

test('the GKE cluster store is built without loading @kubernetes/client-node', async () => {
  const { clusterEndpoint } = await import('../../../shared/adapters/kube-config.js');
  const { KubeClusterStore } = await import('../../../shared/adapters/kube-cluster-store.js');
  const endpoint = await clusterEndpoint(
    { kind: 'gke', server: 'https://34.1.2.3', caCertBase64: 'Q0EgZGF0YQ==' },
    async () => 'ya29.token',
  );
  const store = new KubeClusterStore(endpoint, 'owner', { outboxNamespace: 'istio-system' });
  expect(store.auditOutbox()).toBeDefined();
  await store.close();
  expect(loads).toBe(0);
});

test('a kubeconfig does load it, on first use', async () => {
  const { clusterEndpoint } = await import('../../../shared/adapters/kube-config.js');
  const noToken = async (): Promise<string> => 'unused';
  await expect(clusterEndpoint({ kind: 'kubeconfig', path: '/nonexistent/kubeconfig' }, noToken)).rejects.toThrow(
    /@kubernetes\/client-node was loaded/,
  );
  expect(loads).toBe(1);
});
