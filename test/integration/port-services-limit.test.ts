import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { MAX_PORT_SERVICES } from '../../shared/config/gateway-services.js';
import { parseManifests } from '../../dev/harness/control-plane/manifests.js';
import { portServicesOf, quotedList, renderAdmissionPolicy } from '../../dev/harness/control-plane/admission-policy.js';
import { renderTemplate } from '../../dev/harness/control-plane/templates.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The Services of a deployment's own, one per block of the gateway port range after the first, are named in its RBAC
 * Role (resourceNames) and in its admission policy's CEL (a list literal), as Terraform renders both
 * (terraform/modules/cluster-rbac). The real apiserver decides how many names those objects may hold: this is where
 * MAX_PORT_SERVICES (shared/config/gateway-services.ts) comes from, and what the configuration and Terraform refuse
 * beyond it protects. Objects are created with dryRun=All: checked and admitted as a create would be, never stored.
 */
const stack = sharedStack();
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stack.adminKubeconfig);
const api = KubernetesObjectApi.makeApiClient(kubeConfig);
const NAMESPACE = 'e2e-port-services-limit';

async function created(object: KubernetesObject): Promise<string> {
  try {
    await api.create(object, undefined, 'All');
    return 'created';
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    return typeof body === 'string' ? body : JSON.stringify(body ?? String(error));
  }
}

/** The port Services' admission policy and RBAC Role of a deployment with this gateway Service and range. */
function objectsFor(
  service: string,
  range: string,
  perService: number,
): { policy: KubernetesObject; role: KubernetesObject } {
  const setting = { GATEWAY_PORT_RANGE: range, GATEWAY_PORTS_PER_SERVICE: String(perService) };
  const policy = parseManifests(
    renderAdmissionPolicy({
      user: SYNC_USER,
      ownerId: 'limit',
      istioNamespace: NAMESPACE,
      egressGatewayNamespace: NAMESPACE,
      egressGatewayService: service,
      functionEnv: setting,
    }),
  ).find((d) => d.kind === 'ValidatingAdmissionPolicy' && d.metadata!.name!.endsWith('-port-services'))!;
  const role = parseManifests(
    renderTemplate('port-services-rbac.yaml.tftpl', {
      egress_gateway_namespace: NAMESPACE,
      port_services: quotedList(portServicesOf(service, setting)),
      sync_user: SYNC_USER,
    }),
  ).find((d) => d.kind === 'Role')!;
  return { policy, role };
}

beforeAll(async () => {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }).catch(() => undefined);
});

test(`${MAX_PORT_SERVICES} Services with names as long as a Service name may be: the policy and the Role are admitted`, async () => {
  // 1,001 blocks of 20 ports from 20000: the last own Service is <service>-ports-40000, 63 characters.
  const service = `istio-egressgateway-${'x'.repeat(31)}`;
  const { policy, role } = objectsFor(service, '20000-40019', 20);
  expect(portServicesOf(service, { GATEWAY_PORT_RANGE: '20000-40019', GATEWAY_PORTS_PER_SERVICE: '20' })).toHaveLength(
    MAX_PORT_SERVICES,
  );
  expect(`${service}-ports-40000`).toHaveLength(63);
  expect(await created(policy)).toBe('created');
  expect(await created(role)).toBe('created');
});

test('past the limit the apiserver refuses the policy: 3,276 names make its CEL longer than 100,000 characters', async () => {
  const { policy } = objectsFor('istio-egressgateway', '1-65535', 20);
  expect(await created(policy)).toMatch(/expression code point size exceeds limit: size: \d+, limit 100000/);
});
