import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';
import { gatewayServicePort, serviceApplyBody } from '../../shared/plan/service-ports.js';
import { servicePortName } from '../../shared/render/names.js';
import { renderEgress } from '../../shared/render/render-instance.js';
import {
  admissionPolicyName,
  bindRbac,
  createAll,
  createEgressGatewayFixtures,
  unbindAdmissionPolicy,
  type AdmissionPolicyOptions,
} from '../../dev/harness/control-plane/index.js';
import { nameOf } from '../fixtures/instances.js';
import { testConfig } from '../../dev/fixtures/settings.js';
import { DryRunClient, ownerLabels, serviceEntry, type Outcome } from './support/dry-run-requests.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The admission policy (terraform/kubernetes/admission-policy.yaml.tftpl) on the real kube-apiserver, bound with the
 * RBAC as Terraform binds it. Every refusal is a server dry run as the functions' user, and counts only when the
 * policy is what refused it (RBAC's 403 names no policy). Every change the functions make is still allowed: shown
 * through their own Kubernetes adapter, for real.
 */
const stack = sharedStack();
const OWNER = 'e2e';
const policyFor = (namespace: string): AdmissionPolicyOptions => ({
  user: SYNC_USER,
  ownerId: OWNER,
  istioNamespace: namespace,
  egressGatewayNamespace: namespace,
  egressGatewayService: 'istio-egressgateway',
});

async function setUp(namespace: string): Promise<void> {
  await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace, service: 'istio-egressgateway' });
  await bindRbac(stack.adminKubeconfig, policyFor(namespace));
  await createAll(stack.adminKubeconfig, [
    serviceEntry(namespace, 'foreign', { team: 'platform' }),
    serviceEntry(namespace, 'ours', ownerLabels(OWNER)),
  ]);
}

const refusedBy =
  (namespace: string, part: 'gateway-service' | 'istio-objects' | 'audit-outbox') =>
  (result: Outcome): void => {
    expect(result.status).toBe(403);
    expect(result.message).toContain(
      `ValidatingAdmissionPolicy '${admissionPolicyName({ istioNamespace: namespace })}-${part}'`,
    );
  };

const configMap = (namespace: string, name: string, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  data: {},
});

const ourPort = (port: number, targetPort = port) => ({
  name: servicePortName(nameOf('cache-a'), 'primary'),
  port,
  targetPort,
  protocol: 'TCP',
});

describe('refused for the functions identity', () => {
  const namespace = 'e2e-admission';
  const sync = new DryRunClient(stack.syncUserKubeconfig, namespace);
  beforeAll(() => setUp(namespace));

  test.each([
    ['change the selector (server-side apply)', () => sync.applyToService({ spec: { selector: { app: 'hijack' } } })],
    [
      'change the selector (strategic merge patch)',
      () => sync.mergeIntoService({ spec: { selector: { istio: 'hijack' } } }),
    ],
    ['change the type', () => sync.mergeIntoService({ spec: { type: 'LoadBalancer' } })],
    [
      "change an installer port's target",
      () => sync.mergeIntoService({ spec: { ports: [{ port: 80, targetPort: 9999 }] } }),
    ],
    [
      'remove an installer port',
      () =>
        sync.mergeIntoService(
          { spec: { ports: [{ name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' }] } },
          true,
        ),
    ],
    [
      'add a port not named the project way',
      () =>
        sync.applyToService({
          spec: { ports: [{ name: 'tcp-redis-16999', port: 16999, targetPort: 16999, protocol: 'TCP' }] },
        }),
    ],
    [
      'add a port named the project way that targets another port',
      () => sync.applyToService({ spec: { ports: [ourPort(16999, 15021)] } }),
    ],
    ['label the Service', () => sync.applyToService({ metadata: { labels: { istio: 'hijack' } } })],
  ])('on the egress gateway Service: %s', async (_what, call) => {
    refusedBy(namespace, 'gateway-service')(await call());
  });

  test.each([
    ['create a ServiceEntry without the labels', () => sync.create(serviceEntry(namespace, 'unlabelled'))],
    [
      'create a ServiceEntry of another owner',
      () => sync.create(serviceEntry(namespace, 'theirs', ownerLabels('someone-else'))),
    ],
    [
      'adopt a foreign ServiceEntry by labelling it as ours',
      () => sync.relabel(serviceEntry(namespace, 'foreign'), ownerLabels(OWNER)),
    ],
    ['delete a foreign ServiceEntry', () => sync.delete(serviceEntry(namespace, 'foreign'))],
    [
      'drop the owner label from one of ours',
      () =>
        sync.relabel(serviceEntry(namespace, 'ours'), { 'app.kubernetes.io/managed-by': 'memorystore-egress-sync' }),
    ],
    [
      'hand one of ours to another owner',
      () => sync.relabel(serviceEntry(namespace, 'ours'), ownerLabels('someone-else')),
    ],
  ])('on Istio objects: %s', async (_what, call) => {
    refusedBy(namespace, 'istio-objects')(await call());
  });

  test.each([
    [
      'create a ConfigMap that is not its audit outbox',
      () => sync.create(configMap(namespace, 'settings', ownerLabels(OWNER))),
    ],
    ['create its audit outbox without the labels', () => sync.create(configMap(namespace, outboxName(OWNER)))],
    [
      'create its audit outbox as another owner',
      () => sync.create(configMap(namespace, outboxName(OWNER), ownerLabels('someone-else'))),
    ],
  ])('on ConfigMaps: %s', async (_what, call) => {
    refusedBy(namespace, 'audit-outbox')(await call());
  });

  test('an administrator is not bound by it', async () => {
    const admin = new DryRunClient(stack.adminKubeconfig, namespace);
    expect(await admin.applyToService({ spec: { selector: { app: 'hijack' } } })).toEqual({ status: 200, message: '' });
    expect(await admin.delete(serviceEntry(namespace, 'foreign'))).toEqual({ status: 200, message: '' });
  });
});

describe('allowed: every change the functions make, through their own Kubernetes adapter', () => {
  const namespace = 'e2e-admission-allowed';
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.syncUserKubeconfig);
  const store = new KubeClusterStore(kubeConfig, OWNER, { outboxNamespace: namespace });
  const cluster = new ClusterView(stack.adminKubeconfig, namespace);
  const instance = nameOf('cache-a');
  const settings = testConfig({ ISTIO_NAMESPACE: namespace, EGRESS_GATEWAY_NAMESPACE: namespace, OWNER_ID: OWNER });
  const objects: KubeObject[] = renderEgress(
    instance,
    [{ role: 'primary', address: '10.0.0.3', port: 6379, gatewayPort: 16379 }],
    settings,
  );
  beforeAll(() => setUp(namespace));
  afterAll(() => store.close());

  test('add its port to the egress gateway Service, then remove it', async () => {
    await store.applyServicePorts(
      serviceApplyBody({ namespace, name: 'istio-egressgateway' }, [gatewayServicePort(instance, 'primary', 16379)]),
    );
    expect(await cluster.gatewayPorts()).toEqual([80, 443, 16379]);
    await store.applyServicePorts(serviceApplyBody({ namespace, name: 'istio-egressgateway' }, []));
    expect(await cluster.gatewayPorts()).toEqual([80, 443]);
  });

  test('keep audit records in its outbox, take them and empty it', async () => {
    const outbox = store.auditOutbox();
    if (!outbox) throw new Error('the store has no outbox');
    const record = { id: 'r-1' } as AuditRecord;
    await outbox.stash([record]);
    await outbox.stash([{ ...record, id: 'r-2' }]);
    const taken = await outbox.take();
    expect(taken?.records.map((r) => r.id)).toEqual(['r-1', 'r-2']);
    await outbox.settle(taken!, [{ ...record, id: 'r-2' }]);
    const left = await outbox.take();
    expect(left?.records.map((r) => r.id)).toEqual(['r-2']);
    await outbox.settle(left!, []);
    expect(await outbox.take()).toBeUndefined();
  });

  test('create, replace and delete the Istio objects of an instance', async () => {
    const created = await Promise.all(objects.map((o) => store.create(o)));
    expect(created.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
    );
    const replaced = await Promise.all(
      created.map((o) =>
        store.replace({
          ...o,
          metadata: {
            ...o.metadata,
            annotations: { ...o.metadata.annotations, 'memorystore-egress-sync/last-change-id': 'replaced' },
          },
        }),
      ),
    );
    expect(replaced.map((o) => o.metadata.annotations?.['memorystore-egress-sync/last-change-id'])).toEqual(
      objects.map(() => 'replaced'),
    );
    await Promise.all(replaced.map((o) => store.delete(o)));
    const left = [...(await cluster.istioObjects()).keys()].sort();
    expect(left).toEqual(['ServiceEntry/foreign', 'ServiceEntry/ours']);
  });
});

describe('the policy is what refuses', () => {
  const namespace = 'e2e-admission-unbound';
  const sync = new DryRunClient(stack.syncUserKubeconfig, namespace);
  beforeAll(() => setUp(namespace));

  test('without its bindings, the same requests are allowed', async () => {
    refusedBy(namespace, 'gateway-service')(await sync.applyToService({ spec: { selector: { app: 'hijack' } } }));
    refusedBy(namespace, 'istio-objects')(await sync.delete(serviceEntry(namespace, 'foreign')));
    await unbindAdmissionPolicy(stack.adminKubeconfig, policyFor(namespace));
    expect(await sync.applyToService({ spec: { selector: { app: 'hijack' } } })).toEqual({ status: 200, message: '' });
    expect(await sync.delete(serviceEntry(namespace, 'foreign'))).toEqual({ status: 200, message: '' });
  });
});
