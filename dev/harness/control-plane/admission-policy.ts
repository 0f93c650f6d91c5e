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

/** The functions' own OWNER_ID default: what the demo and a test that sets none run with. */
export const DEFAULT_OWNER_ID = CONFIG_VARIABLES.find((v) => v.name === 'OWNER_ID')?.default ?? 'default';

export interface AdmissionPolicyOptions {
  user: string;
  ownerId: string;
  istioNamespace: string;
  egressGatewayNamespace: string;
  egressGatewayService: string;
}

/**
 * Base name of the cluster-wide policy objects. Test files share one apiserver, each in its own namespace, so the name
 * carries the namespace: one file's policy never replaces another's. (Terraform names them after the owner id.)
 */
export const admissionPolicyName = (options: Pick<AdmissionPolicyOptions, 'istioNamespace'>): string =>
  `memorystore-egress-sync-${options.istioNamespace}`;

/** The admission policy manifest (the one Terraform installs), for one functions user (the harness has one). */
export function renderAdmissionPolicy(options: AdmissionPolicyOptions): string {
  return renderTemplate('admission-policy.yaml.tftpl', {
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
  const settled = async (): Promise<boolean> =>
    (await Promise.all(calls.map(([part, call]) => refusedBy(`${admissionPolicyName(options)}-${part}`, call)))).every(
      (r) => r === enforced,
    );
  const deadline = Date.now() + 30_000;
  while (!(await settled())) {
    if (Date.now() > deadline)
      throw new Error(
        `the admission policy for ${options.user} was ${enforced ? 'not yet enforced' : 'still enforced'} 30s after the change`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
