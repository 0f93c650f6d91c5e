import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeAccess } from '../config/settings.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { KubeEndpoint } from './kube/kube-endpoint.js';
import { kubeConfigEndpoint } from './kube/kubeconfig-endpoint.js';
import type { TokenSource } from './google-rest.js';

/** The GKE token: the process's Application Default Credentials for `project` (google-auth.ts). */
export { applicationDefaultToken } from './google-auth.js';
export type { TokenSource };

/** A kubeconfig file that is missing, unreadable or lacks the context asked for is named in one sentence. */
function fromFile(kubeConfig: KubeConfig, access: Extract<KubeAccess, { kind: 'kubeconfig' }>): KubeConfig {
  const fileSetting = access.setting ? `${access.setting}.kubeconfig` : 'KUBECONFIG';
  const contextSetting = access.setting ? `${access.setting}.context` : 'KUBE_CONTEXT';
  try {
    kubeConfig.loadFromFile(access.path);
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : `it cannot be read as a kubeconfig (${errorMessage(error)})`;
    throw ConfigError.of(fileSetting, 'a kubeconfig file', access.path, why);
  }
  if (access.context) {
    if (!kubeConfig.getContextObject(access.context)) {
      throw ConfigError.of(
        contextSetting,
        `a context of ${access.path} (${
          kubeConfig
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'it has none'
        })`,
        access.context,
      );
    }
    kubeConfig.setCurrentContext(access.context);
  }
  if (!kubeConfig.getCurrentCluster())
    throw ConfigError.of(
      contextSetting,
      `a context with a cluster (${access.path} has no current one)`,
      access.context,
    );
  return kubeConfig;
}

/**
 * The endpoint of a GKE cluster: its server, its CA if it has one, and an OAuth token from Application Default
 * Credentials per request, as `gke-gcloud-auth-plugin` would get it. Tokens last about an hour; google-auth-library
 * caches and refreshes them. https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication
 */
export function gkeEndpoint(access: Extract<KubeAccess, { kind: 'gke' }>, token: TokenSource): KubeEndpoint {
  // A DNS endpoint (*.gke.goog) and the Connect gateway are served with publicly trusted certificates, so they come
  // without a CA and the system trust store verifies them.
  const ca = access.caCertBase64 ? Buffer.from(access.caCertBase64, 'base64') : undefined;
  return {
    server: access.server,
    tls: () => Promise.resolve(ca ? { ca } : {}),
    credentials: async () => {
      const accessToken = await token();
      if (!accessToken) throw new Error('Application Default Credentials gave no access token for the GKE cluster');
      return { authorization: `Bearer ${accessToken}` };
    },
  };
}

/**
 * A kubeconfig file's current (or named) context. The Kubernetes client library that reads it is loaded here, on
 * first use, and only for a kubeconfig (local runs, tests): on GKE it is never loaded.
 */
export async function loadKubeConfig(access: Extract<KubeAccess, { kind: 'kubeconfig' }>): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  return fromFile(new KubeConfig(), access);
}

/** Cluster access: a kubeconfig file (local runs, tests), or a GKE endpoint with an ADC token. */
export async function clusterEndpoint(access: KubeAccess, token: TokenSource): Promise<KubeEndpoint> {
  if (access.kind === 'kubeconfig') return kubeConfigEndpoint(await loadKubeConfig(access));
  const endpoint = gkeEndpoint(access, token);
  // Credentials that give no token fail the set-up, as an unreadable kubeconfig does, not the first request.
  await endpoint.credentials();
  return endpoint;
}
