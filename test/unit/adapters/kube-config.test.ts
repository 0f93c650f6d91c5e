import { loadKubeConfig } from '../../../shared/adapters/kube-config.js';

/** GKE access without a GKE cluster: the kubeconfig the function builds from its configuration and token. */
describe('loadKubeConfig for GKE', () => {
  test('IP endpoint: the cluster CA is trusted, TLS verified, the ADC token used', async () => {
    const kubeConfig = await loadKubeConfig(
      { kind: 'gke', server: 'https://34.1.2.3', caCertBase64: 'Q0EgZGF0YQ==' },
      async () => 'ya29.token',
    );
    expect(kubeConfig.getCurrentCluster()).toMatchObject({
      server: 'https://34.1.2.3',
      caData: 'Q0EgZGF0YQ==',
      skipTLSVerify: false,
    });
    expect(kubeConfig.getCurrentUser()).toMatchObject({ token: 'ya29.token' });
  });

  test('DNS endpoint: no CA, so the system trust store verifies the public certificate', async () => {
    const kubeConfig = await loadKubeConfig(
      { kind: 'gke', server: 'https://gke-abc.us-central1.gke.goog' },
      async () => 'ya29.token',
    );
    expect(kubeConfig.getCurrentCluster()?.caData).toBeUndefined();
    expect(kubeConfig.getCurrentCluster()?.server).toBe('https://gke-abc.us-central1.gke.goog');
  });

  test('Connect gateway: the server URL with its path, no CA (publicly trusted certificate), the ADC token', async () => {
    const server =
      'https://connectgateway.googleapis.com/v1/projects/123456789012/locations/global/gkeMemberships/mesh';
    const kubeConfig = await loadKubeConfig({ kind: 'gke', server }, async () => 'ya29.token');
    expect(kubeConfig.getCurrentCluster()).toMatchObject({ server, skipTLSVerify: false });
    expect(kubeConfig.getCurrentCluster()?.caData).toBeUndefined();
    expect(kubeConfig.getCurrentUser()).toMatchObject({ token: 'ya29.token' });
  });

  test('no token is a clear error', async () => {
    await expect(loadKubeConfig({ kind: 'gke', server: 'https://34.1.2.3' }, async () => null)).rejects.toThrow(
      /no access token/,
    );
  });
});

describe('loadKubeConfig from a file', () => {
  test('a missing file is named by the setting that named it: KUBECONFIG, or its place in SYNC_CLUSTERS', async () => {
    await expect(loadKubeConfig({ kind: 'kubeconfig', path: '/nonexistent/kubeconfig' })).rejects.toThrow(
      /^KUBECONFIG: expected a kubeconfig file, got "\/nonexistent\/kubeconfig": no such file$/,
    );
    await expect(
      loadKubeConfig({ kind: 'kubeconfig', path: '/nonexistent/kubeconfig', setting: 'SYNC_CLUSTERS[1]' }),
    ).rejects.toThrow(
      /^SYNC_CLUSTERS\[1\]\.kubeconfig: expected a kubeconfig file, got "\/nonexistent\/kubeconfig": no such file$/,
    );
  });
});
