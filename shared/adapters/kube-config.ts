import { KubeConfig } from '@kubernetes/client-node';
import { GoogleAuth } from 'google-auth-library';
import type { KubeAccess } from '../config/parse-config.js';
import { ConfigError, errorMessage } from '../errors.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** Where the GKE token comes from: Application Default Credentials (the function's service account). */
export type TokenSource = () => Promise<string | null | undefined>;

let googleAuth: GoogleAuth | undefined;
export const applicationDefaultToken: TokenSource = async () => {
  googleAuth ??= new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  return googleAuth.getAccessToken();
};

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
 * Cluster credentials: a kubeconfig file (local runs, tests), or a GKE endpoint with an OAuth token from Application
 * Default Credentials, as `gke-gcloud-auth-plugin` would get it. Tokens last about an hour, so this is called per
 * invocation; google-auth-library caches and refreshes the token itself.
 * https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication
 */
export async function loadKubeConfig(
  access: KubeAccess,
  token: TokenSource = applicationDefaultToken,
): Promise<KubeConfig> {
  const kubeConfig = new KubeConfig();
  if (access.kind === 'kubeconfig') return fromFile(kubeConfig, access);
  const accessToken = await token();
  if (!accessToken) throw new Error('Application Default Credentials gave no access token for the GKE cluster');
  kubeConfig.loadFromOptions({
    // A DNS endpoint (*.gke.goog) and the Connect gateway are served with publicly trusted certificates, so they come
    // without a CA and the system trust store verifies them.
    clusters: [
      {
        name: 'gke',
        server: access.server,
        skipTLSVerify: false,
        ...(access.caCertBase64 ? { caData: access.caCertBase64 } : {}),
      },
    ],
    users: [{ name: 'function', token: accessToken }],
    contexts: [{ name: 'gke', cluster: 'gke', user: 'function' }],
    currentContext: 'gke',
  });
  return kubeConfig;
}
