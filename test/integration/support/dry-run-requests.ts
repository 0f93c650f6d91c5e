import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { loadKubeconfig, outcome, type Outcome } from '../../../dev/harness/control-plane/index.js';
import { sampleServiceEntry } from '../../../dev/fixtures/service-entry.js';
import { LABEL_MANAGED_BY, LABEL_OWNER, APP_NAME } from '../../../shared/model/k8s-object.js';

/**
 * Requests against one namespace's egress gateway Service and Istio objects, all with dryRun=All: the apiserver
 * authenticates, authorizes and runs admission (validating admission policies included) exactly as for a real write,
 * then stores nothing. https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run
 */
export { outcome, type Outcome };

export const ownerLabels = (ownerId: string): Record<string, string> => ({
  [LABEL_MANAGED_BY]: APP_NAME,
  [LABEL_OWNER]: ownerId,
});

/**
 * A ServiceEntry as the project renders one (the admission policy checks content too): a test about labels or RBAC
 * is then refused or admitted for those alone.
 */
export function serviceEntry(
  namespace: string,
  name: string,
  labels?: Record<string, string>,
): KubernetesObject & { metadata: { name: string }; spec: object } {
  const { apiVersion, kind, spec } = sampleServiceEntry({ name, namespace });
  return { apiVersion, kind, metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

export class DryRunClient {
  private readonly api: KubernetesObjectApi;

  constructor(
    kubeconfigPath: string,
    private readonly namespace: string,
  ) {
    this.api = KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));
  }

  private service(fields: Record<string, unknown>): KubernetesObject {
    const { metadata, ...rest } = fields as { metadata?: object };
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace: this.namespace, ...metadata },
      ...rest,
    };
  }

  /** Server-side apply to the egress gateway Service, as the functions write it (forced, under a field manager). */
  applyToService(fields: Record<string, unknown>): Promise<Outcome> {
    return outcome(
      this.api.patch(
        this.service(fields),
        undefined,
        'All',
        'memorystore-egress-sync/e2e',
        true,
        PatchStrategy.ServerSideApply,
      ),
    );
  }

  /**
   * A strategic merge patch (ports merge by port number) or, `replaceLists`, a JSON merge patch (a list given replaces
   * the whole list): RBAC's `patch` allows every patch type, so the policy must hold for each.
   */
  mergeIntoService(fields: Record<string, unknown>, replaceLists = false): Promise<Outcome> {
    const strategy = replaceLists ? PatchStrategy.MergePatch : PatchStrategy.StrategicMergePatch;
    return outcome(this.api.patch(this.service(fields), undefined, 'All', undefined, undefined, strategy));
  }

  create(object: KubernetesObject): Promise<Outcome> {
    return outcome(this.api.create(object, undefined, 'All'));
  }

  /** Reads the object (as whoever this client is) and PUTs it back with `labels` in place of its labels. */
  async relabel(
    object: KubernetesObject & { metadata: { name: string } },
    labels: Record<string, string>,
  ): Promise<Outcome> {
    const current = await this.api.read(object);
    return outcome(this.api.replace({ ...current, metadata: { ...current.metadata, labels } }, undefined, 'All'));
  }

  delete(object: KubernetesObject): Promise<Outcome> {
    return outcome(this.api.delete(object, undefined, 'All'));
  }
}
