import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import { startMetadataServer } from '../../dev/harness/metadata-server.js';

export interface GkeTarget {
  readonly gke: { readonly server: string; readonly caCertBase64: string; readonly metadataHost: string };
  close(): Promise<void>;
}

/**
 * The local apiserver as the functions reach a GKE cluster when deployed: its server and CA, and the user's token from
 * a local metadata server (Application Default Credentials). A kubeconfig would load @kubernetes/client-node, which
 * the deployed functions never load: 20 MiB of heap a deployed function does not spend.
 */
export async function gkeTarget(controlPlane: ControlPlane, user: string, project: string): Promise<GkeTarget> {
  const kubeconfig = parse(readFileSync(controlPlane.kubeconfigFor(user), 'utf8')) as {
    users: Array<{ user: { token: string } }>;
  };
  const metadata = await startMetadataServer(kubeconfig.users[0]!.user.token, project);
  return {
    gke: {
      server: controlPlane.server,
      caCertBase64: readFileSync(join(controlPlane.dataDir, 'certs/apiserver.crt')).toString('base64'),
      metadataHost: metadata.host,
    },
    close: () => metadata.close(),
  };
}
