import { ownPortServiceNames } from '../../../shared/config/gateway-services.js';
import {
  ApiException,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { CONFIG_VARIABLES } from '../../../shared/config/config-variables.js';
import { loadKubeconfig } from './kubeconfig.js';
import { applyManifests } from './manifests.js';
import { renderTemplate } from './templates.js';
import { outboxName } from '../../../shared/audit/audit-outbox.js';

export const defaultOf = (name: string): string => {
  const value = CONFIG_VARIABLES.find((v) => v.name === name)?.default;
  if (value === undefined) throw new Error(`${name} has no default in CONFIG_VARIABLES`);
  return value;
};

/** The functions' own OWNER_ID default: what the demo and a test that sets none run with. */
export const DEFAULT_OWNER_ID = defaultOf('OWNER_ID');

/**
 * The functions' settings the policy compares what they write with (rendered into its expressions), as Terraform fills
 * them in from the same variables.
 */
const CONTENT_VARIABLES = [
  'SERVICE_ENTRY_HOST_SUFFIX',
  'AMBIENT_WAYPOINT',
  'SERVICE_ENTRY_EXPORT_TO',
  'EGRESS_GATEWAY_SELECTOR',
  'GATEWAY_PORT_RANGE',
  'GATEWAY_PORTS_PER_SERVICE',
] as const;

/**
 * Address ranges a ServiceEntry may name, as terraform/modules/cluster-rbac sets them: RFC 1918, RFC 6598 (100.64/10)
 * and IPv6 unique local addresses.
 */
export const PRIVATE_ADDRESS_RANGES = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7';

export interface AdmissionPolicyOptions {
  user: string;
  ownerId: string;
  istioNamespace: string;
  egressGatewayNamespace: string;
  egressGatewayService: string;
  /**
   * The functions' environment: its SERVICE_ENTRY_HOST_SUFFIX, SERVICE_ENTRY_EXPORT_TO, EGRESS_GATEWAY_SELECTOR and
   * GATEWAY_PORT_RANGE bound what they may write (each unset one: the functions' default).
   */
  functionEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * Names as Terraform renders them into the manifests: a list of single-quoted names, which is both a YAML flow
 * sequence and a CEL list literal inside a double-quoted expression.
 */
export const quotedList = (names: readonly string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;

/** The block Services of the range (shared/config/gateway-services.ts), as the functions name them. */
export function portServicesOf(
  service: string,
  setting: Readonly<Record<'GATEWAY_PORT_RANGE' | 'GATEWAY_PORTS_PER_SERVICE', string>>,
): string[] {
  const [from = 0, to = 0] = setting.GATEWAY_PORT_RANGE.split('-').map(Number);
  return ownPortServiceNames({
    egressGateway: { service, namespace: '', selector: {}, portsPerService: Number(setting.GATEWAY_PORTS_PER_SERVICE) },
    gatewayPortRange: { from, to },
  });
}

/**
 * Base name of the cluster-wide policy objects. Test files share one apiserver, each in its own namespace, so the name
 * carries the namespace: one file's policy never replaces another's. (Terraform names them after the owner id.)
 */
export const admissionPolicyName = (options: Pick<AdmissionPolicyOptions, 'istioNamespace'>): string =>
  `memorystore-egress-sync-${options.istioNamespace}`;

/** The admission policy manifest (the one Terraform installs), for one functions user (the harness has one). */
export function renderAdmissionPolicy(options: AdmissionPolicyOptions): string {
  const setting = Object.fromEntries(
    CONTENT_VARIABLES.map((name) => [name, options.functionEnv?.[name] ?? defaultOf(name)]),
  ) as Record<(typeof CONTENT_VARIABLES)[number], string>;
  const [portFrom, portTo] = setting.GATEWAY_PORT_RANGE.split('-');
  return renderTemplate('admission-policy.yaml.tftpl', {
    host_suffix: setting.SERVICE_ENTRY_HOST_SUFFIX,
    export_to: setting.SERVICE_ENTRY_EXPORT_TO,
    ambient_waypoint: setting.AMBIENT_WAYPOINT,
    egress_gateway_selector: setting.EGRESS_GATEWAY_SELECTOR,
    gateway_port_from: portFrom ?? '',
    gateway_port_to: portTo ?? '',
    port_services: quotedList(portServicesOf(options.egressGatewayService, setting)),
    address_ranges: PRIVATE_ADDRESS_RANGES,
    policy_name: admissionPolicyName(options),
    istio_namespace: options.istioNamespace,
    egress_gateway_namespace: options.egressGatewayNamespace,
    egress_gateway_service: options.egressGatewayService,
    owner_id: options.ownerId,
    audit_outbox: outboxName(options.ownerId),
    sync_user: options.user,
    resync_user: options.user,
  });
}

/** Applies the policies and their bindings, and returns once the apiserver enforces them. */
export async function bindAdmissionPolicy(kubeconfigPath: string, options: AdmissionPolicyOptions): Promise<void> {
  await applyManifests(kubeconfigPath, renderAdmissionPolicy(options));
  await waitUntilEnforced(kubeconfigPath, options, true);
}

/**
 * Deletes the bindings (a policy without a binding has no effect), and returns once the apiserver no longer enforces
 * them.
 */
export async function unbindAdmissionPolicy(kubeconfigPath: string, options: AdmissionPolicyOptions): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));
  for (const part of ['gateway-service', 'istio-objects', 'audit-outbox']) {
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: `${admissionPolicyName(options)}-${part}` },
    };
    await api.delete(binding).catch((error: unknown) => {
      if (!(error instanceof ApiException && (error as ApiException<unknown>).code === 404)) throw error;
    });
  }
  await waitUntilEnforced(kubeconfigPath, options, false);
}

/**
 * The admin's kubeconfig, acting as `user` (Impersonate-User): the admin may impersonate, and only user's rights count.
 */
function impersonating(kubeconfigPath: string, user: string): KubeConfig {
  const kubeConfig = loadKubeconfig(kubeconfigPath);
  const admin = kubeConfig.getCurrentUser();
  kubeConfig.users = kubeConfig.users.map((u) => (u === admin ? { ...u, impersonateUser: user } : u));
  return kubeConfig;
}

/** Requests each policy must refuse, made with dryRun=All so that, refused or not, nothing changes. */
function probes(api: KubernetesObjectApi, options: AdmissionPolicyOptions): Record<string, () => Promise<unknown>> {
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.egressGatewayService, namespace: options.egressGatewayNamespace },
    spec: { selector: { probe: 'admission-policy' } },
  };
  const unlabelled: KubernetesObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'admission-policy-probe', namespace: options.istioNamespace },
  };
  return {
    'gateway-service': () =>
      api.patch(service, undefined, 'All', 'admission-policy-probe', true, PatchStrategy.ServerSideApply),
    'istio-objects': () =>
      api.create(
        { ...unlabelled, spec: { hosts: ['probe.example.internal'], resolution: 'DNS' } } as KubernetesObject,
        undefined,
        'All',
      ),
    'audit-outbox': () =>
      api.create(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'admission-policy-probe', namespace: options.istioNamespace },
          data: {},
        } as KubernetesObject,
        undefined,
        'All',
      ),
  };
}

/** Whether this policy refused the call: a 403 that names it (RBAC's 403 does not). */
async function refusedBy(policy: string, call: () => Promise<unknown>): Promise<boolean> {
  return call().then(
    () => false,
    (error: unknown) =>
      error instanceof ApiException &&
      String((error as ApiException<unknown>).body).includes(`ValidatingAdmissionPolicy '${policy}'`),
  );
}

/**
 * A policy and its binding reach the admission plugin through its informers a moment after they are written; wait for
 * the apiserver itself to refuse (or, `enforced` false, to allow) a probe as the user, never for a time.
 */
async function waitUntilEnforced(
  kubeconfigPath: string,
  options: AdmissionPolicyOptions,
  enforced: boolean,
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(impersonating(kubeconfigPath, options.user));
  const calls = Object.entries(probes(api, options));
  const inEffect = async (): Promise<boolean> =>
    (await Promise.all(calls.map(([part, call]) => refusedBy(`${admissionPolicyName(options)}-${part}`, call)))).every(
      (r) => r === enforced,
    );
  const deadline = Date.now() + 30_000;
  while (!(await inEffect())) {
    if (Date.now() > deadline)
      throw new Error(
        `the admission policy for ${options.user} was ${enforced ? 'not yet enforced' : 'still enforced'} 30s after the change`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
