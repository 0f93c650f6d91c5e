import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeEndpoint, KubeTls } from './kube-endpoint.js';

interface HttpsMaterial extends KubeTls {
  headers?: Record<string, string>;
}

/**
 * The endpoint of a kubeconfig's current context. Its static credentials (a token, a client certificate) are read
 * once; a user whose token comes from an exec plugin or an auth provider is asked per request, as the plugin caches.
 * Only the type of KubeConfig is imported: whoever loaded the kubeconfig has loaded the library.
 */
export function kubeConfigEndpoint(kubeConfig: KubeConfig): KubeEndpoint {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const user = kubeConfig.getCurrentUser();
  const refreshed = Boolean(user?.exec || user?.authProvider);
  const read = async (): Promise<HttpsMaterial> => {
    const material: HttpsMaterial = {};
    await kubeConfig.applyToHTTPSOptions(material);
    return material;
  };
  let once: Promise<HttpsMaterial> | undefined;
  const material = (): Promise<HttpsMaterial> => (once ??= read());
  return {
    server: cluster.server,
    async tls() {
      const { ca, cert, key, rejectUnauthorized, servername } = await material();
      return {
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        ...(servername ? { servername } : {}),
      };
    },
    async credentials() {
      return (refreshed ? await read() : await material()).headers ?? {};
    },
  };
}
