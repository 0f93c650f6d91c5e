import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';
import { gatewayServicePort, serviceApplyBody } from '../../shared/plan/service-ports.js';
import { servicePortName } from '../../shared/render/port-names.js';
import { renderDirect, renderEgress } from '../../shared/render/render-instance.js';
import { renderNodePorts } from '../../shared/render/render-node-ports.js';
import { stringify } from 'yaml';
import {
  admissionPolicyName,
  applyManifests,
  bindRbac,
  createAll,
  createEgressGatewayFixtures,
  unbindAdmissionPolicy,
  type AdmissionPolicyOptions,
} from '../../dev/harness/control-plane/index.js';
import { nameOf } from '../fixtures/instances.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
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

/** The installer's ports on the egress gateway Service (dev/harness/control-plane/fixtures.ts). */
const INSTALLER_PORTS = [
  { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
];

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

/**
 * What a stolen functions identity could do with objects labelled as its own before the policy checked their content
 * (issue 20, item 8): each attack is a write Istio's CRDs accept, so only the policy's content rules can refuse it.
 * Every variant starts from what the project renders (shared/render) and changes one thing.
 */
describe('refused for the functions identity: content the project never writes', () => {
  const namespace = 'e2e-admission-content';
  const sync = new DryRunClient(stack.syncUserKubeconfig, namespace);
  const settings = testPlanSettings({
    ISTIO_NAMESPACE: namespace,
    EGRESS_GATEWAY_NAMESPACE: namespace,
    OWNER_ID: OWNER,
  });
  const rendered = renderEgress(
    nameOf('cache-a'),
    [{ role: 'primary', address: '10.0.0.3', port: 6379, gatewayPort: 16379 }],
    settings,
  );
  const of = (kind: string): KubeObject => {
    const found = rendered.find((o) => o.kind === kind);
    if (!found) throw new Error(`nothing rendered of kind ${kind}`);
    return found;
  };
  type Spec = Record<string, unknown>;
  const withSpec = (kind: string, change: (spec: Spec) => Spec, name?: string): KubeObject => {
    const object = of(kind);
    const metadata = name ? { ...object.metadata, name } : object.metadata;
    return { ...object, metadata, spec: change(structuredClone(object.spec)) };
  };
  type Server = { port: Spec; hosts: string[] } & Spec;
  const servers = (change: (server: Server) => Server) => (spec: Spec) => ({
    ...spec,
    servers: (spec['servers'] as Server[]).map(change),
  });
  type TcpRoute = { match: Spec[]; route: { destination: Spec }[] };
  const tcpRoutes = (change: (route: TcpRoute) => TcpRoute) => (spec: Spec) => ({
    ...spec,
    tcp: (spec['tcp'] as TcpRoute[]).map(change),
  });
  const privateIstioHost = 'redis.default.svc.cluster.local';
  // Another deployment's port on the shared Service, named as the project names ports, outside this one's range.
  const theirPort = {
    name: servicePortName(nameOf('theirs'), 'primary'),
    port: 17500,
    targetPort: 17500,
    protocol: 'TCP',
  };

  // The whole list replaced (a JSON merge patch): the installer's ports as they are, and `port` in place of theirs.
  const replacePorts = (port: object): Promise<Outcome> =>
    sync.mergeIntoService({ spec: { ports: [...INSTALLER_PORTS, port] } }, true);

  beforeAll(async () => {
    await setUp(namespace);
    await applyManifests(
      stack.adminKubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-egressgateway', namespace },
        spec: { ports: [theirPort] },
      }),
      'memorystore-egress-sync/another-deployment',
    );
  });

  test('what the project renders is admitted (the attacks below each change one thing of it)', async () => {
    for (const object of rendered) expect(await sync.create(object)).toEqual({ status: 200, message: '' });
  });

  test.each<[string, () => KubeObject]>([
    ['a ServiceEntry opening egress to *.com', () => withSpec('ServiceEntry', (s) => ({ ...s, hosts: ['*.com'] }))],
    [
      'a ServiceEntry taking an in-mesh host',
      () => withSpec('ServiceEntry', (s) => ({ ...s, hosts: [privateIstioHost] })),
    ],
    [
      'a ServiceEntry for a wildcard under the host suffix',
      () => withSpec('ServiceEntry', (s) => ({ ...s, hosts: ['*.memorystore.internal'] })),
    ],
    ['a ServiceEntry for 0.0.0.0/0', () => withSpec('ServiceEntry', (s) => ({ ...s, addresses: ['0.0.0.0/0'] }))],
    [
      'a ServiceEntry for a whole private range',
      () => withSpec('ServiceEntry', (s) => ({ ...s, addresses: ['10.0.0.0/8'] })),
    ],
    [
      'a ServiceEntry for a public address',
      () => withSpec('ServiceEntry', (s) => ({ ...s, addresses: ['8.8.8.8/32'] })),
    ],
    [
      'a ServiceEntry for a public IPv6 address',
      () => withSpec('ServiceEntry', (s) => ({ ...s, addresses: ['2001:4860:4860::8888/128'] })),
    ],
    [
      'a ServiceEntry without addresses (every address on its port)',
      // Without endpoints too: Istio's CRD refuses endpoints with resolution NONE.
      () =>
        withSpec('ServiceEntry', ({ addresses: _addresses, endpoints: _endpoints, ...s }) => ({
          ...s,
          resolution: 'NONE',
        })),
    ],
    [
      'a ServiceEntry whose endpoint is a public address',
      () => withSpec('ServiceEntry', (s) => ({ ...s, endpoints: [{ address: '8.8.8.8' }] })),
    ],
    [
      'a ServiceEntry whose endpoint is a DNS name',
      () => withSpec('ServiceEntry', (s) => ({ ...s, endpoints: [{ address: 'evil.example.com' }] })),
    ],
    ['a ServiceEntry inside the mesh', () => withSpec('ServiceEntry', (s) => ({ ...s, location: 'MESH_INTERNAL' }))],
    [
      'a ServiceEntry resolved by DNS',
      () =>
        withSpec('ServiceEntry', ({ addresses: _addresses, ...s }) => ({
          ...s,
          resolution: 'DNS',
          endpoints: [{ address: 'redis.example.com' }],
        })),
    ],
    [
      'a ServiceEntry selecting workloads',
      // In place of its endpoints: Istio's CRD refuses the two together.
      () =>
        withSpec('ServiceEntry', ({ endpoints: _endpoints, ...s }) => ({
          ...s,
          workloadSelector: { labels: { app: 'payments' } },
        })),
    ],
    [
      'a ServiceEntry exported otherwise than configured',
      () => withSpec('ServiceEntry', (s) => ({ ...s, exportTo: ['payments'] })),
    ],
    [
      'a Gateway binding the ingress gateway',
      () => withSpec('Gateway', (s) => ({ ...s, selector: { istio: 'ingressgateway' } })),
    ],
    [
      'a Gateway selecting the egress gateway and more',
      () => withSpec('Gateway', (s) => ({ ...s, selector: { istio: 'egressgateway', app: 'payments' } })),
    ],
    ...[15000, 15090, 22].map((number): [string, () => KubeObject] => [
      `a Gateway server on port ${number}, outside the range`,
      () =>
        withSpec(
          'Gateway',
          servers((v) => ({ ...v, port: { ...v.port, number } })),
        ),
    ]),
    [
      'a Gateway server for every host',
      () =>
        withSpec(
          'Gateway',
          servers((v) => ({ ...v, hosts: ['*'] })),
        ),
    ],
    [
      'a Gateway server with TLS settings',
      () =>
        withSpec(
          'Gateway',
          servers((v) => ({ ...v, tls: { mode: 'ISTIO_MUTUAL' } })),
        ),
    ],
    ['a Gateway not named as the project names them', () => withSpec('Gateway', (s) => s, 'ingress-gateway')],
    ['a DestinationRule for *.local', () => withSpec('DestinationRule', (s) => ({ ...s, host: '*.local' }))],
    [
      'a DestinationRule disabling TLS for an in-mesh host',
      () =>
        withSpec('DestinationRule', ({ subsets: _subsets, ...s }) => ({
          ...s,
          host: privateIstioHost,
          trafficPolicy: { tls: { mode: 'DISABLE' } },
        })),
    ],
    [
      'a DestinationRule disabling TLS to the egress gateway',
      () => withSpec('DestinationRule', (s) => ({ ...s, trafficPolicy: { tls: { mode: 'DISABLE' } } })),
    ],
    [
      "a DestinationRule disabling TLS in a subset's policy",
      () =>
        withSpec('DestinationRule', (s) => ({
          ...s,
          subsets: (s['subsets'] as Spec[]).map((v) => ({ ...v, trafficPolicy: { tls: { mode: 'DISABLE' } } })),
        })),
    ],
    [
      'a DestinationRule selecting workloads',
      () => withSpec('DestinationRule', (s) => ({ ...s, workloadSelector: { matchLabels: { app: 'payments' } } })),
    ],
    ['a VirtualService for *.com', () => withSpec('VirtualService', (s) => ({ ...s, hosts: ['*.com'] }))],
    [
      'a VirtualService taking an in-mesh host',
      () => withSpec('VirtualService', (s) => ({ ...s, hosts: [privateIstioHost] })),
    ],
    [
      'a VirtualService bound to the ingress gateway',
      () => withSpec('VirtualService', (s) => ({ ...s, gateways: ['mesh', 'istio-system/ingressgateway'] })),
    ],
    [
      'a VirtualService route matching another gateway',
      () =>
        withSpec(
          'VirtualService',
          tcpRoutes((r) => ({ ...r, match: r.match.map((m) => ({ ...m, gateways: ['istio-ingressgateway'] })) })),
        ),
    ],
    [
      'a VirtualService routing to a host outside the suffix',
      () =>
        withSpec(
          'VirtualService',
          tcpRoutes((r) => ({ ...r, route: [{ destination: { host: 'evil.example.com', port: { number: 6379 } } }] })),
        ),
    ],
    [
      'a VirtualService with HTTP routes',
      () =>
        withSpec('VirtualService', (s) => ({
          ...s,
          http: [{ route: [{ destination: { host: privateIstioHost } }] }],
        })),
    ],
    [
      'a VirtualService not named as the project names them',
      () => withSpec('VirtualService', (s) => ({ ...s, gateways: ['mesh', 'bookinfo'] }), 'bookinfo'),
    ],
  ])('on Istio objects: %s', async (_what, object) => {
    refusedBy(namespace, 'istio-objects')(await sync.create(object()));
  });

  test.each<[string, () => Promise<Outcome>]>([
    ...[15000, 15090, 22].map((port): [string, () => Promise<Outcome>] => [
      `add a port named as ours outside the range: ${port}`,
      () => sync.applyToService({ spec: { ports: [ourPort(port)] } }),
    ]),
    ["renumber another deployment's port", () => replacePorts({ ...theirPort, port: 17501, targetPort: 17501 })],
    ["take another deployment's port under a name of ours", () => replacePorts(ourPort(17500))],
    [
      'keep a port in quarantine under another number',
      () =>
        sync.applyToService({
          spec: { ports: [{ name: 'tcp-freed-abc-16001', port: 16002, targetPort: 16002, protocol: 'TCP' }] },
        }),
    ],
  ])('on the egress gateway Service: %s', async (_what, call) => {
    refusedBy(namespace, 'gateway-service')(await call());
  });

  test('a port named as ours inside the range is admitted', async () => {
    expect(await sync.applyToService({ spec: { ports: [ourPort(16998)] } })).toEqual({ status: 200, message: '' });
  });
});

describe('allowed: every change the functions make, through their own Kubernetes adapter', () => {
  const namespace = 'e2e-admission-allowed';
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.syncUserKubeconfig);
  const store = new KubeClusterStore(kubeConfig, OWNER, { outboxNamespace: namespace });
  const cluster = new ClusterView(stack.adminKubeconfig, namespace);
  const instance = nameOf('cache-a');
  const settings = testPlanSettings({
    ISTIO_NAMESPACE: namespace,
    EGRESS_GATEWAY_NAMESPACE: namespace,
    OWNER_ID: OWNER,
  });
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
    const record = { id: 'r-1', patch: [] } as unknown as AuditRecord;
    await outbox.stash([record]);
    await outbox.stash([{ ...record, id: 'r-2' }]);
    const taken = await outbox.take();
    expect(taken?.records.map((r) => r.id)).toEqual(['r-1', 'r-2']);
    await outbox.keepOnly(taken!, [{ ...record, id: 'r-2' }]);
    const left = await outbox.take();
    expect(left?.records.map((r) => r.id)).toEqual(['r-2']);
    await outbox.keepOnly(left!, []);
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

  test("create and delete a sharded target's node-port ServiceEntries (direct mode, SHARDED_NODE_PORTS)", async () => {
    const direct = testPlanSettings({
      ISTIO_NAMESPACE: namespace,
      EGRESS_GATEWAY_NAMESPACE: namespace,
      OWNER_ID: OWNER,
      SYNC_MODE: 'direct',
      SHARDED_NODE_PORTS: 'true',
    });
    const target = nameOf('cluster-a');
    const entries = [
      ...renderDirect(target, [{ role: 'discovery', address: '10.40.0.2', port: 6379 }], direct),
      ...renderNodePorts(target, { addresses: ['10.40.0.2', '10.40.0.3'], range: { from: 11000, to: 11127 } }, direct),
    ];
    expect(entries).toHaveLength(3);
    const created = await Promise.all(entries.map((o) => store.create(o)));
    await Promise.all(created.map((o) => store.delete(o)));
    expect([...(await cluster.istioObjects()).keys()].sort()).toEqual(['ServiceEntry/foreign', 'ServiceEntry/ours']);
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
