import {
  ApiException,
  AuthorizationV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { bindRbac, createEgressGatewayFixtures, loadKubeconfig } from '../../dev/harness/control-plane/index.js';
import { LABEL_MANAGED_BY, LABEL_OWNER, APP_NAME } from '../../shared/model/k8s-object.js';
import { servicePortName } from '../../shared/render/port-names.js';
import { nameOf } from '../fixtures/instances.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';
import { sampleServiceEntry } from '../../dev/fixtures/service-entry.js';

/**
 * The RBAC the project ships (terraform/kubernetes/rbac.yaml.tftpl) is all the functions get in the end-to-end tests,
 * which shows it is enough. Here: it is no more than that, and the Istio CRDs enforce their own rules. The admission
 * policy is bound too, as Terraform installs it, so the objects written here are labelled as the functions label
 * theirs (admission-policy.test.ts covers what the policy refuses).
 */
const namespace = 'e2e-rbac';
const OWNER = 'e2e';
const stack = sharedStack();

function apiFor(kubeconfigPath: string): KubernetesObjectApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return KubernetesObjectApi.makeApiClient(kubeConfig);
}

const statusOf = async (call: Promise<unknown>): Promise<number> =>
  call.then(
    () => 200,
    (error: unknown) => (error instanceof ApiException ? (error as ApiException<unknown>).code : -1),
  );

const serviceEntry = (name: string, ns = namespace, spec: Record<string, unknown> = {}) =>
  sampleServiceEntry({ name, namespace: ns, labels: { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: OWNER } }, spec);

const admin = apiFor(stack.adminKubeconfig);
const sync = apiFor(stack.syncUserKubeconfig);
const intruder = apiFor(stack.intruderKubeconfig);

beforeAll(async () => {
  await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace, service: 'istio-egressgateway' });
  await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace: 'e2e-rbac-other', service: 'other-service' });
  await bindRbac(stack.adminKubeconfig, {
    user: SYNC_USER,
    ownerId: OWNER,
    istioNamespace: namespace,
    egressGatewayNamespace: namespace,
    egressGatewayService: 'istio-egressgateway',
  });
  await admin.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'redis-auth', namespace },
    stringData: { auth: 'hunter2' },
  } as never);
});

describe('what the functions identity may do', () => {
  test.each(['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService'])(
    'list %s in its namespace',
    async (kind) => {
      expect(await statusOf(sync.list('networking.istio.io/v1', kind, namespace))).toBe(200);
    },
  );

  test('create, update and delete a ServiceEntry in its namespace', async () => {
    const created = await sync.create(serviceEntry('allowed'));
    expect(
      await statusOf(
        sync.replace({ ...created, spec: { ...serviceEntry('allowed').spec, addresses: ['10.1.2.4/32'] } }),
      ),
    ).toBe(200);
    expect(await statusOf(sync.delete(serviceEntry('allowed')))).toBe(200);
  });

  test('get and server-side apply ports on the egress gateway Service', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace },
      spec: {
        ports: [{ name: servicePortName(nameOf('rbac'), 'primary'), port: 16999, targetPort: 16999, protocol: 'TCP' }],
      },
    };
    expect(await statusOf(sync.read(body))).toBe(200);
    expect(
      await statusOf(
        sync.patch(body, undefined, undefined, 'memorystore-egress-sync', true, PatchStrategy.ServerSideApply),
      ),
    ).toBe(200);
    expect(
      await statusOf(
        sync.patch(
          { ...body, spec: {} },
          undefined,
          undefined,
          'memorystore-egress-sync',
          true,
          PatchStrategy.ServerSideApply,
        ),
      ),
    ).toBe(200);
  });
});

describe('what it may not do', () => {
  test.each([
    [
      'read a Secret',
      () => sync.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'redis-auth', namespace } }),
    ],
    ['list Secrets', () => sync.list('v1', 'Secret', namespace)],
    // In the egress gateway's namespace it may: the range's later blocks are Services of its own, found by a list
    // by its labels (terraform/kubernetes/port-services-rbac.yaml.tftpl).
    ['list Services in another namespace', () => sync.list('v1', 'Service', 'e2e-rbac-other')],
    [
      'create a Service',
      () =>
        sync.create({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'x', namespace },
          spec: { ports: [{ port: 1 }] },
        }),
    ],
    [
      'delete the egress gateway Service',
      () => sync.delete({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-egressgateway', namespace } }),
    ],
    [
      'read another Service',
      () =>
        sync.read({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'other-service', namespace: 'e2e-rbac-other' },
        }),
    ],
    ['write ServiceEntries in another namespace', () => sync.create(serviceEntry('elsewhere', 'e2e-rbac-other'))],
    ['touch other Istio kinds', () => sync.list('networking.istio.io/v1', 'Sidecar', namespace)],
    ['read ConfigMaps', () => sync.list('v1', 'ConfigMap', namespace)],
    [
      'patch a ServiceEntry',
      () =>
        sync.patch(
          serviceEntry('patched'),
          undefined,
          undefined,
          'memorystore-egress-sync',
          true,
          PatchStrategy.ServerSideApply,
        ),
    ],
  ])('%s: 403', async (_what, call) => {
    expect(await statusOf(call())).toBe(403);
  });

  // Verbs the code never uses: it lists and reads, creates, replaces (PUT) and deletes Istio objects, and patches
  // nothing but the egress gateway Service. The authorizer itself answers (a SubjectAccessReview).
  test.each(['serviceentries', 'gateways', 'destinationrules', 'virtualservices'])(
    'no watch and no patch on %s',
    async (resource) => {
      const authorization = loadKubeconfig(stack.adminKubeconfig).makeApiClient(AuthorizationV1Api);
      const allowed = async (verb: string): Promise<boolean | undefined> =>
        (
          await authorization.createSubjectAccessReview({
            body: {
              spec: {
                user: SYNC_USER,
                resourceAttributes: { namespace, verb, group: 'networking.istio.io', resource },
              },
            },
          })
        ).status?.allowed;
      expect({
        list: await allowed('list'),
        watch: await allowed('watch'),
        patch: await allowed('patch'),
        update: await allowed('update'),
      }).toEqual({ list: true, watch: false, patch: false, update: true });
    },
  );

  test('a user without the binding gets nothing', async () => {
    expect(await statusOf(intruder.list('networking.istio.io/v1', 'ServiceEntry', namespace))).toBe(403);
  });
});

describe("Istio's CRD schemas and CEL rules are enforced", () => {
  test.each([
    [
      'DNS_ROUND_ROBIN with two endpoints',
      {
        resolution: 'DNS_ROUND_ROBIN',
        addresses: [],
        endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }],
      },
      /DNS_ROUND_ROBIN mode cannot have multiple endpoints/,
    ],
    [
      'a CIDR address with DNS resolution',
      { resolution: 'DNS', endpoints: [{ address: 'a.example.com' }] },
      /CIDR addresses are allowed only for NONE\/STATIC resolution/,
    ],
    [
      'a duplicated port',
      {
        ports: [
          { number: 6379, name: 'a', protocol: 'TCP' },
          { number: 6379, name: 'b', protocol: 'TCP' },
        ],
      },
      /port number cannot be duplicated/,
    ],
  ])('%s is rejected', async (_what, spec, message) => {
    const error = await admin.create(serviceEntry('invalid', namespace, spec)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiException);
    expect(String((error as ApiException<unknown>).body)).toMatch(message);
  });
});
