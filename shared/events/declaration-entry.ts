import { ACCESS_GROUP, ACCESS_PLURAL } from '../model/access.js';

/**
 * A GKE audit entry of a write to a MemorystoreAccess declaration. GKE writes Kubernetes API writes as Admin Activity
 * entries with `protoPayload.serviceName="k8s.io"`, `resource.type="k8s_cluster"` (labels project_id, location,
 * cluster_name), a `methodName` per group, version, resource and verb, and a `resourceName` that is the object's path
 * under its group and version (https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging; entries seen in
 * public queries: methodName `io.k8s.apps.v1.deployments.patch`, resourceName
 * `apps/v1/namespaces/prod/deployments/checkout`, and `io.k8s.core.v1.pods.delete` with `core/v1/namespaces/N/pods/P`).
 * How the methodName spells a group outside k8s.io (a custom resource's) is not documented: the entry is recognised by
 * its resourceName and by the method's last two parts (`memorystoreaccesses.<verb>`), whatever comes before them.
 */
export const K8S_SERVICE = 'k8s.io';
export const K8S_RESOURCE_TYPE = 'k8s_cluster';
/** The verbs that change a declaration; get, list, watch and status writes do not. */
export const DECLARATION_VERBS = ['create', 'update', 'patch', 'delete'] as const;

/** A GKE cluster as its audit entries name it. */
export interface GkeCluster {
  readonly project: string;
  readonly location: string;
  readonly cluster: string;
}

export interface DeclarationSubject {
  readonly cluster: GkeCluster;
  readonly namespace: string;
  readonly name: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const RESOURCE_NAME = new RegExp(
  `^${ACCESS_GROUP.replace(/\./g, '\\.')}/[a-z0-9]+/namespaces/([a-z0-9][-a-z0-9]{0,62})/${ACCESS_PLURAL}/([a-z0-9][-a-z0-9.]{0,252})$`,
);
const METHOD = new RegExp(`\\.${ACCESS_PLURAL}\\.(${DECLARATION_VERBS.join('|')})$`);

function clusterOf(entry: Json): GkeCluster | undefined {
  const resource = isObject(entry['resource']) ? entry['resource'] : {};
  const labels = isObject(resource['labels']) ? resource['labels'] : {};
  const project = str(labels['project_id']);
  const location = str(labels['location']);
  const cluster = str(labels['cluster_name']);
  if (resource['type'] !== K8S_RESOURCE_TYPE || !project || !location || !cluster) return undefined;
  return { project, location, cluster };
}

/**
 * A request with `dryRun` changed nothing. The apiserver takes it as a query parameter; GKE's entry carries the
 * request body, where delete options (and some clients' create options) hold it. Not confirmed for every verb: a
 * dry-run entry that slips through only costs a reconcile that finds nothing to change.
 */
function isDryRun(payload: Json): boolean {
  const request = isObject(payload['request']) ? payload['request'] : {};
  const dryRun = request['dryRun'];
  return Array.isArray(dryRun) && dryRun.length > 0;
}

/** The declaration a `k8s.io` entry changed, or why the entry is not one to act on. */
export function declarationSubjectOf(entry: Json, payload: Json): DeclarationSubject | string {
  const resourceName = str(payload['resourceName']) ?? '';
  const match = RESOURCE_NAME.exec(resourceName);
  if (!match)
    return `Kubernetes entry for ${JSON.stringify(resourceName.slice(0, 120))} is not about a MemorystoreAccess`;
  const methodName = str(payload['methodName']) ?? '';
  if (!METHOD.test(methodName))
    return `Kubernetes method ${JSON.stringify(methodName.slice(0, 120))} does not change a MemorystoreAccess`;
  const cluster = clusterOf(entry);
  if (!cluster) return 'the entry does not name its GKE cluster (resource.type k8s_cluster with its labels)';
  const status = isObject(payload['status']) ? payload['status'] : {};
  if (typeof status['code'] === 'number' && status['code'] !== 0)
    return `the request failed (status code ${status['code']}): nothing changed`;
  if (isDryRun(payload)) return 'a dry-run request: nothing changed';
  return { cluster, namespace: match[1]!, name: match[2]! };
}
