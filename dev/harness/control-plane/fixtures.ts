import { stringify } from 'yaml';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { bindAdmissionPolicy, DEFAULT_OWNER_ID, defaultOf, portServicesOf, quotedList } from './admission-policy.js';
import { loadKubeconfig } from './kubeconfig.js';
import { applyManifests, createAll } from './manifests.js';
import { renderTemplate } from './templates.js';
import { outboxName } from '../../../shared/audit/audit-outbox.js';

const EGRESS_LABELS = { app: 'istio-egressgateway', istio: 'egressgateway' };
// As Istio's legacy egress chart renders the Service (manifests/charts/gateways/istio-egress/values.yaml).
const INSTALLER_PORTS = [
  { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
];

export interface EgressGatewayOptions {
  namespace?: string;
  service?: string;
  /** Also create a gateway Pod object (never scheduled: no kubelet), for `istioctl analyze` against the cluster. */
  pod?: boolean;
}

/** A Pod with the egress gateway's labels: what Gateway selectors and the Service's selector are checked against. */
function gatewayPod(namespace: string, service: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${service}-0`, namespace, labels: EGRESS_LABELS },
    spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
  };
}

/**
 * The namespace and the egress gateway Service as the Istio installer leaves them. Created (not applied) by the field
 * manager "helm", so the ports of the installer belong to another manager, as they do in a real cluster, and the
 * project's server-side apply has to leave them alone.
 */
export async function createEgressGatewayFixtures(
  kubeconfigPath: string,
  options: EgressGatewayOptions = {},
): Promise<void> {
  const { namespace = 'istio-system', service = 'istio-egressgateway' } = options;
  await createAll(kubeconfigPath, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
  const object = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace, labels: EGRESS_LABELS },
    spec: { type: 'ClusterIP', selector: EGRESS_LABELS, ports: INSTALLER_PORTS },
  };
  await createAll(kubeconfigPath, [object, ...(options.pod ? [gatewayPod(namespace, service)] : [])], 'helm');
}

export interface RbacOptions {
  user: string;
  istioNamespace: string;
  egressGatewayNamespace: string;
  egressGatewayService: string;
  /** OWNER_ID the functions run with (default: theirs): the admission policy lets them write only objects of it. */
  ownerId?: string;
  /** false: RBAC alone, without the admission policy Terraform installs beside it (default true). */
  admissionPolicy?: boolean;
  /** The functions' environment, whose content settings (host suffix, port range, ...) the admission policy holds. */
  functionEnv?: Readonly<Record<string, string | undefined>>;
}

/** The project's RBAC manifest (the one Terraform installs) with its `${...}` placeholders filled in. */
export function renderRbac(options: RbacOptions): string {
  return renderTemplate('rbac.yaml.tftpl', {
    istio_namespace: options.istioNamespace,
    egress_gateway_namespace: options.egressGatewayNamespace,
    egress_gateway_service: options.egressGatewayService,
    audit_outbox: outboxName(options.ownerId ?? DEFAULT_OWNER_ID),
    sync_user: options.user,
  });
}

/**
 * Applies the rendered RBAC manifest and, as Terraform does, the admission policy: tests then act as that user,
 * proving the two are enough and no more. Applied, not created, so a change to a template reaches a namespace that
 * already had it.
 */
export async function bindRbac(kubeconfigPath: string, options: RbacOptions): Promise<void> {
  await applyManifests(kubeconfigPath, renderRbac(options));
  await applyManifests(kubeconfigPath, renderTemplate('access-rbac.yaml.tftpl', { sync_user: options.user }));
  const portServices = portServicesOf(options.egressGatewayService, {
    GATEWAY_PORT_RANGE: options.functionEnv?.['GATEWAY_PORT_RANGE'] ?? defaultOf('GATEWAY_PORT_RANGE'),
    GATEWAY_PORTS_PER_SERVICE:
      options.functionEnv?.['GATEWAY_PORTS_PER_SERVICE'] ?? defaultOf('GATEWAY_PORTS_PER_SERVICE'),
  });
  // As Terraform does: the rights on port Services only when the range has more than one block.
  if (portServices.length > 0)
    await applyManifests(
      kubeconfigPath,
      renderTemplate('port-services-rbac.yaml.tftpl', {
        egress_gateway_namespace: options.egressGatewayNamespace,
        port_services: quotedList(portServices),
        sync_user: options.user,
      }),
    );
  await waitUntilAllowed(kubeconfigPath, options);
  if (options.admissionPolicy !== false)
    await bindAdmissionPolicy(kubeconfigPath, { ...options, ownerId: options.ownerId ?? DEFAULT_OWNER_ID });
}

/**
 * A new RoleBinding reaches the authorizer through its informer a moment after the write is acknowledged; until then
 * the user gets 403. Wait for the authorizer itself to allow the user (a SubjectAccessReview), never for a time.
 */
async function waitUntilAllowed(kubeconfigPath: string, options: RbacOptions): Promise<void> {
  const api = loadKubeconfig(kubeconfigPath).makeApiClient(AuthorizationV1Api);
  const checks = [
    { namespace: options.istioNamespace, verb: 'create', group: 'networking.istio.io', resource: 'serviceentries' },
    {
      namespace: options.egressGatewayNamespace,
      verb: 'patch',
      group: '',
      resource: 'services',
      name: options.egressGatewayService,
    },
    { verb: 'list', group: 'memorystore-egress-sync.io', resource: 'memorystoreaccesses' },
  ];
  const allowed = async (): Promise<boolean> => {
    const answers = await Promise.all(
      checks.map((attributes) =>
        api.createSubjectAccessReview({ body: { spec: { user: options.user, resourceAttributes: attributes } } }),
      ),
    );
    return answers.every((a) => a.status?.allowed === true);
  };
  const deadline = Date.now() + 30_000;
  while (!(await allowed())) {
    if (Date.now() > deadline) throw new Error(`RBAC for ${options.user} was not in force 30s after it was applied`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The egress gateway Pod and Service as YAML, with `extraPorts` (the gateway ports the project adds; port = targetPort)
 * on the Service: what a cluster would hold. Beware: `istioctl analyze --use-kube=false` drops Pods and Services from
 * the files it reads and skips the analyzers that need them, so these only count when analyzing against a cluster
 * (apply them there, or use createEgressGatewayFixtures with `pod: true`).
 */
export function egressGatewayAnalyzeInputs(
  namespace = 'istio-system',
  extraPorts: readonly number[] = [],
  service = 'istio-egressgateway',
): string {
  const pod = gatewayPod(namespace, service);
  const added = extraPorts
    .filter((p) => !INSTALLER_PORTS.some((i) => i.port === p))
    .map((p) => ({ name: `tcp-redis-${p}`, port: p, targetPort: p, protocol: 'TCP' }));
  const object = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace, labels: EGRESS_LABELS },
    spec: { type: 'ClusterIP', selector: EGRESS_LABELS, ports: [...INSTALLER_PORTS, ...added] },
  };
  return [pod, object].map((o) => stringify(o)).join('---\n');
}
