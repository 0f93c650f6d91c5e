import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION } from '../../../shared/model/access.js';
import { declarationEntry } from '../../../dev/fixtures/k8s-audit-entry.js';
import { sharedStack } from '../shared-stack.js';
import type { PublishedRecord } from './audit-reader.js';
import { startRig, type SyncRig } from './sync-rig.js';

/** GKE's cluster name the k8s.io entries carry; SYNC_CLUSTERS names the shared apiserver by it. */
const CLUSTER = 'primary';

/**
 * A rig in ACCESS_MODE=declared whose functions read declarations from the shared apiserver as their own user, under
 * GKE's name for it: the cluster the k8s.io entries of `Declaration` come from. `env` adds to or overrides that.
 */
export function startDeclaredRig(namespace: string, env: Readonly<Record<string, string>> = {}): Promise<SyncRig> {
  const clusters = [
    {
      name: CLUSTER,
      kubeconfig: sharedStack().syncUserKubeconfig,
      gke: `projects/test-project/locations/us-central1/clusters/${CLUSTER}`,
    },
  ];
  return startRig({ namespace, env: { ACCESS_MODE: 'declared', SYNC_CLUSTERS: JSON.stringify(clusters), ...env } });
}

/**
 * One MemorystoreAccess, written by an administrator to the apiserver, each write followed by GKE's k8s.io entry for
 * it delivered to the rig's functions: what a team's declaring or withdrawing access looks like to syncOnAuditLog.
 */
export class Declaration {
  private readonly admin: KubernetesObjectApi;

  constructor(
    private readonly rig: SyncRig,
    private readonly at: { readonly namespace: string; readonly name: string; readonly writer: string },
  ) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sharedStack().adminKubeconfig);
    this.admin = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** Declares access to `instance`; returns the audit records of that one event. */
  async create(instance: string): Promise<PublishedRecord[]> {
    await this.admin.create(this.object(instance) as never);
    return this.oneEvent('create');
  }

  /** Deletes the declaration; returns the audit records of that one event. */
  async delete(instance: string): Promise<PublishedRecord[]> {
    await this.admin.delete(this.object(instance));
    return this.oneEvent('delete');
  }

  private object(instance: string) {
    return {
      apiVersion: `${ACCESS_GROUP}/${ACCESS_VERSION}`,
      kind: ACCESS_KIND,
      metadata: { name: this.at.name, namespace: this.at.namespace },
      spec: { instances: [instance] },
    };
  }

  private async oneEvent(verb: 'create' | 'delete'): Promise<PublishedRecord[]> {
    const mark = this.rig.audit.count;
    const { namespace, name, writer } = this.at;
    await this.rig.publishAuditEntry(declarationEntry({ namespace, name, verb, cluster: CLUSTER, principal: writer }));
    await this.rig.idle();
    return this.rig.audit.since(mark);
  }
}
