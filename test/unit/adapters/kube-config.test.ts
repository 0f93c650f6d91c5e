import { clusterEndpoint, gkeEndpoint, loadKubeConfig } from '../../../shared/adapters/kube-config.js';

/** GKE access without a GKE cluster: the endpoint the function builds from its configuration and token. */
describe('gkeEndpoint', () => {
  test('IP endpoint: the cluster CA is trusted, TLS verified, the ADC token used', async () => {
    const endpoint = gkeEndpoint(
      { kind: 'gke', server: 'https://34.1.2.3', caCertBase64: 'Q0EgZGF0YQ==' },
      async () => 'ya29.token',
    );
    expect(endpoint.server).toBe('https://34.1.2.3');
    expect(await endpoint.tls()).toEqual({ ca: Buffer.from('CA data') });
    expect(await endpoint.credentials()).toEqual({ authorization: 'Bearer ya29.token' });
  });

  test('DNS endpoint: no CA, so the system trust store verifies the public certificate', async () => {
    const endpoint = gkeEndpoint(
      { kind: 'gke', server: 'https://gke-abc.us-central1.gke.goog' },
      async () => 'ya29.token',
    );
    expect(await endpoint.tls()).toEqual({});
    expect(endpoint.server).toBe('https://gke-abc.us-central1.gke.goog');
  });

  test('Connect gateway: the server URL with its path, no CA (publicly trusted certificate), the ADC token', async () => {
    const server =
      'https://connectgateway.googleapis.com/v1/projects/123456789012/locations/global/gkeMemberships/mesh';
    const endpoint = gkeEndpoint({ kind: 'gke', server }, async () => 'ya29.token');
    expect(endpoint.server).toBe(server);
    expect(await endpoint.tls()).toEqual({});
    expect(await endpoint.credentials()).toEqual({ authorization: 'Bearer ya29.token' });
  });

  test('the token source is asked per request: an ADC token expires after about an hour', async () => {
    let issued = 0;
    const endpoint = gkeEndpoint({ kind: 'gke', server: 'https://34.1.2.3' }, async () => `ya29.${++issued}`);
    expect(await endpoint.credentials()).toEqual({ authorization: 'Bearer ya29.1' });
    expect(await endpoint.credentials()).toEqual({ authorization: 'Bearer ya29.2' });
  });

  test('no token is a clear error', async () => {
    const endpoint = gkeEndpoint({ kind: 'gke', server: 'https://34.1.2.3' }, async () => null);
    await expect(endpoint.credentials()).rejects.toThrow(/no access token/);
  });

  test('no token fails the set-up of the cluster access, before any request', async () => {
    await expect(clusterEndpoint({ kind: 'gke', server: 'https://34.1.2.3' }, async () => null)).rejects.toThrow(
      /^Application Default Credentials gave no access token for the GKE cluster$/,
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
