import { GoogleAuth } from 'google-auth-library';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const clients = new Map<string, GoogleAuth>();

/**
 * Application Default Credentials (the function's service account), one client per project and process: the GKE
 * token and the Memorystore reads share its token cache, so a cold start fetches one token, not one per caller.
 * `project` is the function's own (MEMORYSTORE_PROJECT). The token does not depend on it, but google-auth-library
 * looks one up before its first token unless it is named: `gcloud config config-helper` in a shell, then the metadata
 * server, on the first event after a cold start (docs/performance.md).
 */
export function applicationDefaultAuth(project: string): GoogleAuth {
  let auth = clients.get(project);
  if (!auth) clients.set(project, (auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM], projectId: project })));
  return auth;
}
