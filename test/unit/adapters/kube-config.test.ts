import { loadKubeConfig } from '../../../shared/adapters/kube-config.js';

/** GKE access without a GKE cluster: the kubeconfig the function builds from its configuration and token. */
describe('loadKubeConfig for GKE', () => {
  test('IP endpoint: the cluster CA is trusted, TLS verified, the ADC token used', async () => {
    const kubeConfig = await loadKubeConfig({ kind: 'gke', endpoint: '34.1.2.3', caCertBase64: 'Q0EgZGF0YQ==' }, async () => 'ya29.token');
    expect(kubeConfig.getCurrentCluster()).toMatchObject({ server: 'https://34.1.2.3', caData: 'Q0EgZGF0YQ==', skipTLSVerify: false });
    expect(kubeConfig.getCurrentUser()).toMatchObject({ token: 'ya29.token' });
  });

  test('DNS endpoint: no CA, so the system trust store verifies the public certificate', async () => {
    const kubeConfig = await loadKubeConfig({ kind: 'gke', endpoint: 'gke-abc.us-central1.gke.goog' }, async () => 'ya29.token');
    expect(kubeConfig.getCurrentCluster()?.caData).toBeUndefined();
    expect(kubeConfig.getCurrentCluster()?.server).toBe('https://gke-abc.us-central1.gke.goog');
  });

  test('no token is a clear error', async () => {
    await expect(loadKubeConfig({ kind: 'gke', endpoint: '34.1.2.3' }, async () => null)).rejects.toThrow(/no access token/);
  });
});
