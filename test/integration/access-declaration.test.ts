import { ApiException, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { bindRbac, createAll, createEgressGatewayFixtures } from '../../dev/harness/control-plane/index.js';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION } from '../../shared/model/access.js';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The MemorystoreAccess CRD Terraform installs (terraform/kubernetes/memorystore-access-crd.yaml), on the real
 * apiserver: its schema and CEL rules admit the declarations docs/least-access.md shows and refuse each wrong shape
 * with the rule's own message; the functions' identity may read declarations in every namespace and write none.
 */
const stack = sharedStack();
const namespace = 'e2e-access-decl';
const apiVersion = `${ACCESS_GROUP}/${ACCESS_VERSION}`;

function apiFor(kubeconfigPath: string): KubernetesObjectApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return KubernetesObjectApi.makeApiClient(kubeConfig);
}

const admin = apiFor(stack.adminKubeconfig);
const sync = apiFor(stack.syncUserKubeconfig);
const intruder = apiFor(stack.intruderKubeconfig);

const declaration = (name: string, spec: Record<string, unknown>) => ({
  apiVersion,
  kind: ACCESS_KIND,
  metadata: { name, namespace },
  spec,
});

/** The apiserver's answer to a create: 200, or its status code and message. */
async function createAs(api: KubernetesObjectApi, object: object): Promise<{ code: number; message: string }> {
  try {
    await api.create(object as never);
    return { code: 200, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (error as ApiException<unknown>).body;
    return {
      code: (error as ApiException<unknown>).code,
      message: typeof body === 'string' ? body : JSON.stringify(body),
    };
  }
}

beforeAll(async () => {
  await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
  await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace: 'e2e-access-decl-gw' });
  await bindRbac(stack.adminKubeconfig, {
    user: SYNC_USER,
    istioNamespace: 'e2e-access-decl-gw',
    egressGatewayNamespace: 'e2e-access-decl-gw',
    egressGatewayService: 'istio-egressgateway',
    admissionPolicy: false,
  });
});

describe('the schema and CEL rules', () => {
  test.each([
    ['by identity, the whole namespace', { instances: ['projects/p/locations/europe-west1/instances/cache'] }],
    [
      'every product, for two service accounts',
      {
        instances: [
          'projects/p/locations/europe-west1/instances/cache',
          '//memorystore.googleapis.com/projects/p/locations/europe-west1/instances/vk-1',
          '//memcache.googleapis.com/projects/p/locations/europe-west1/instances/mc',
          '//redis.googleapis.com/projects/p/locations/europe-west1/clusters/rc',
        ],
        serviceAccounts: ['checkout', 'checkout-worker'],
      },
    ],
    ['by labels', { selector: { matchLabels: { team: 'payments', env: 'prod' } } }],
  ])('admits a declaration %s', async (_what, spec) => {
    const name = `ok-${Math.random().toString(36).slice(2, 8)}`;
    expect(await createAs(admin, declaration(name, spec))).toEqual({ code: 200, message: '' });
  });

  test.each([
    ['names nothing', {}, 'name at least one instance in spec.instances or give spec.selector'],
    ['an empty instance list', { instances: [] }, 'name at least one instance in spec.instances or give spec.selector'],
    ['an instance that is no identity', { instances: ['cache'] }, 'each instance is an identity'],
    [
      'a Redis Cluster without its prefix',
      { instances: ['projects/p/locations/europe-west1/clusters/rc'] },
      'a Redis Cluster is named //redis.googleapis.com/',
    ],
    ['an empty selector', { selector: { matchLabels: {} } }, 'must name at least one label'],
    ['a label key Memorystore cannot have', { selector: { matchLabels: { Team: 'x' } } }, 'label keys are Memorystore'],
    [
      'a label value Memorystore cannot have',
      { selector: { matchLabels: { team: 'Pay Ments' } } },
      'label values are Memorystore',
    ],
    [
      'a service account that is no DNS-1123 name',
      { instances: ['projects/p/locations/r/instances/i'], serviceAccounts: ['Checkout_SA'] },
      'each service account is a DNS-1123 subdomain name',
    ],
  ])('refuses %s, with the rule message', async (_what, spec, message) => {
    const answer = await createAs(admin, declaration(`bad-${Math.random().toString(36).slice(2, 8)}`, spec));
    expect(answer.code).toBe(422);
    expect(answer.message).toContain(message);
  });

  test('refuses more instances than the bound that keeps the rules cheap', async () => {
    const instances = Array.from({ length: 65 }, (_, i) => `projects/p/locations/r/instances/i${i}`);
    const answer = await createAs(admin, declaration('too-many', { instances }));
    expect(answer.code).toBe(422);
    expect(answer.message).toMatch(/must have at most 64 items|Too many/);
  });
});

describe("the functions' identity", () => {
  test('lists declarations in every namespace', async () => {
    await createAs(admin, declaration('listed', { instances: ['projects/p/locations/r/instances/listed'] }));
    const list = await sync.list(apiVersion, ACCESS_KIND);
    expect(list.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toContain(`${namespace}/listed`);
  });

  test('the cluster store reads them all, page by page, as the resolver takes them', async () => {
    const paged = 'e2e-access-decl-paged';
    await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: paged } }]);
    for (let i = 0; i < 5; i++)
      await admin.create({
        ...declaration(`paged-${i}`, {
          selector: { matchLabels: { team: `t${i}` } },
          serviceAccounts: ['api'],
        }),
        metadata: { name: `paged-${i}`, namespace: paged },
      } as never);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(stack.syncUserKubeconfig);
    const store = new KubeClusterStore(kubeConfig, 'e2e', { pageSize: 2 });
    const { declarations, malformed } = await store.listAccessDeclarations();
    await store.close();
    expect(malformed).toEqual([]);
    expect(declarations.filter((d) => d.namespace === paged).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      Array.from({ length: 5 }, (_, i) => ({
        namespace: paged,
        name: `paged-${i}`,
        instances: [],
        selector: [{ key: 'team', op: 'equals', value: `t${i}` }],
        serviceAccounts: ['api'],
      })),
    );
  });

  test('may not create, change or delete one', async () => {
    const code = async (call: Promise<unknown>): Promise<number> =>
      call.then(
        () => 200,
        (error: unknown) => (error instanceof ApiException ? (error as ApiException<unknown>).code : -1),
      );
    const own = declaration('by-sync', { instances: ['projects/p/locations/r/instances/x'] });
    expect(await code(sync.create(own as never))).toBe(403);
    await createAs(admin, declaration('kept', { instances: ['projects/p/locations/r/instances/kept'] }));
    const live = await admin.read({ apiVersion, kind: ACCESS_KIND, metadata: { name: 'kept', namespace } });
    expect(
      await code(sync.replace({ ...live, spec: { instances: ['projects/p/locations/r/instances/y'] } } as never)),
    ).toBe(403);
    expect(await code(sync.delete(live))).toBe(403);
  });

  test('another identity may not even read them', async () => {
    const answer = await intruder.list(apiVersion, ACCESS_KIND, namespace).then(
      () => 200,
      (error: unknown) => (error instanceof ApiException ? (error as ApiException<unknown>).code : -1),
    );
    expect(answer).toBe(403);
  });
});
