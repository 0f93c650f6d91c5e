import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from '../process.js';
import { loadKubeconfig } from './kubeconfig.js';

const EGRESS_LABELS = { app: 'istio-egressgateway', istio: 'egressgateway' };
// As Istio's legacy egress chart renders the Service (manifests/charts/gateways/istio-egress/values.yaml).
const INSTALLER_PORTS = [
  { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
];

/** Creates each object; one that exists already is fine (fixtures are shared within a run). */
export async function createAll(kubeconfigPath: string, objects: readonly KubernetesObject[], fieldManager?: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));
  for (const object of objects) {
    try {
      await api.create(object, undefined, undefined, fieldManager);
    } catch (error) {
      if (!(error instanceof ApiException && (error as ApiException<unknown>).code === 409)) throw error;
    }
  }
}

/** The namespace and the egress gateway Service as the Istio installer leaves them (created by the manager "helm"). */
export async function createEgressGatewayFixtures(kubeconfigPath: string, options: { namespace: string; service: string }): Promise<void> {
  await createAll(kubeconfigPath, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace } }]);
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.service, namespace: options.namespace, labels: EGRESS_LABELS },
    spec: { type: 'ClusterIP', selector: EGRESS_LABELS, ports: INSTALLER_PORTS },
  };
  await createAll(kubeconfigPath, [service], 'helm');
}

/**
 * The project's RBAC manifest (the one Terraform installs), rendered for a namespace and user and applied: tests then
 * run the functions as that user, proving the manifest is enough and no more.
 */
export async function bindRbac(kubeconfigPath: string, options: { user: string; istioNamespace: string; egressGatewayNamespace: string; egressGatewayService: string }): Promise<void> {
  const template = readFileSync(join(REPO_ROOT, 'terraform/kubernetes/rbac.yaml.tftpl'), 'utf8');
  const values: Record<string, string> = {
    istio_namespace: options.istioNamespace,
    egress_gateway_namespace: options.egressGatewayNamespace,
    egress_gateway_service: options.egressGatewayService,
    sync_user: options.user,
  };
  const rendered = template.replace(/\$\{(\w+)\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`rbac template: unknown placeholder ${key}`);
    return value;
  });
  const docs = parseAllDocuments(rendered).map((d) => d.toJS() as KubernetesObject).filter((d) => d !== null);
  await createAll(kubeconfigPath, docs);
}

/**
 * The egress gateway Pod and Service as YAML for `istioctl analyze --use-kube=false`, which has no cluster to look at:
 * without them the Gateway analyzers report that no Pod matches the selector and no Service exposes the port.
 */
export function egressGatewayAnalyzeInputs(namespace: string, extraPorts: readonly number[]): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'istio-egressgateway-0', namespace, labels: EGRESS_LABELS },
    spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
  };
  const ports = [...INSTALLER_PORTS, ...extraPorts.filter((p) => p !== 80 && p !== 443).map((p) => ({ name: `tcp-redis-${p}`, port: p, targetPort: p, protocol: 'TCP' }))];
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-egressgateway', namespace, labels: EGRESS_LABELS }, spec: { selector: EGRESS_LABELS, ports } };
  return [pod, service].map((o) => stringify(o)).join('---\n');
}
