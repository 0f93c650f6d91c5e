import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { InstanceAccess } from '../../shared/model/access.js';
import { renderDirect, renderEgress } from '../../shared/render/render-instance.js';
import {
  admissionPolicyName,
  bindRbac,
  createEgressGatewayFixtures,
  type AdmissionPolicyOptions,
} from '../../dev/harness/control-plane/index.js';
import { nameOf } from '../fixtures/instances.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { DryRunClient, type Outcome } from './support/dry-run-requests.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The admission policy (terraform/kubernetes/admission-policy.yaml.tftpl) and ACCESS_MODE=declared: what least access
 * renders (Istio mutual TLS to the gateway, narrowed exportTo, a DENY AuthorizationPolicy per instance) is admitted,
 * and every variant a stolen functions identity could write instead is refused by content, each a write Istio's CRDs
 * accept. Each attack starts from what the project renders (shared/render) and changes one thing.
 */
const stack = sharedStack();
const OWNER = 'e2e';
const policyFor = (namespace: string, gatewayNamespace = namespace): AdmissionPolicyOptions => ({
  user: SYNC_USER,
  ownerId: OWNER,
  istioNamespace: namespace,
  egressGatewayNamespace: gatewayNamespace,
  egressGatewayService: 'istio-egressgateway',
});
const refusedBy = (namespace: string) => (result: Outcome) => {
  expect(result.status).toBe(403);
  expect(result.message).toContain(`ValidatingAdmissionPolicy '${admissionPolicyName({ istioNamespace: namespace })}`);
};
const ADMITTED = { status: 200, message: '' };
const access: InstanceAccess = {
  namespaces: ['payments'],
  principals: ['cluster.local/ns/orders/sa/checkout'],
  declaredBy: ['payments/caches', 'orders/checkout'],
};
const endpoint = { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16379 };

type Spec = Record<string, unknown>;
const changed = (objects: readonly KubeObject[], kind: string, change: (spec: Spec) => Spec): KubeObject => {
  const object = objects.find((o) => o.kind === kind);
  if (!object) throw new Error(`nothing rendered of kind ${kind}`);
  return { ...object, spec: change(structuredClone(object.spec)) };
};
type Rule = { from?: Array<{ source: Spec }>; to: Array<{ operation: Spec }> } & Spec;
const rules = (change: (rule: Rule) => Rule) => (spec: Spec) => ({
  ...spec,
  rules: (spec['rules'] as Rule[]).map(change),
});
type Server = { port: Spec; tls?: Spec } & Spec;
const servers = (change: (server: Server) => Server) => (spec: Spec) => ({
  ...spec,
  servers: (spec['servers'] as Server[]).map(change),
});
const subsets = (change: (subset: Spec) => Spec) => (spec: Spec) => ({
  ...spec,
  subsets: (spec['subsets'] as Spec[]).map(change),
});

describe('declared access: admitted as rendered, refused when changed', () => {
  const namespace = 'e2e-admission-access';
  const sync = new DryRunClient(stack.syncUserKubeconfig, namespace);
  const env = { ISTIO_NAMESPACE: namespace, EGRESS_GATEWAY_NAMESPACE: namespace, OWNER_ID: OWNER };
  const settings = testPlanSettings({ ...env, ACCESS_MODE: 'declared' });
  const rendered = renderEgress(nameOf('cache-a'), [endpoint], settings, access);
  const of = (kind: string, change: (spec: Spec) => Spec) => () => changed(rendered, kind, change);
  beforeAll(async () => {
    await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace, service: 'istio-egressgateway' });
    await bindRbac(stack.adminKubeconfig, policyFor(namespace));
  });

  test('what declared mode renders is admitted, in egress-gateway mode and in direct mode, nobody declared too', async () => {
    const direct = testPlanSettings({ ...env, ACCESS_MODE: 'declared', SYNC_MODE: 'direct' });
    const none = { namespaces: [], principals: [], declaredBy: [] };
    const objects = [
      ...rendered,
      ...renderEgress(nameOf('cache-b'), [endpoint], settings, none),
      ...renderDirect(nameOf('cache-c'), [endpoint], direct, access),
    ];
    expect(objects.filter((o) => o.kind === 'AuthorizationPolicy')).toHaveLength(2);
    for (const object of objects) expect([object.kind, await sync.create(object)]).toEqual([object.kind, ADMITTED]);
  });

  test.each<[string, () => KubeObject]>([
    ['an AuthorizationPolicy turned into an ALLOW', of('AuthorizationPolicy', (s) => ({ ...s, action: 'ALLOW' }))],
    [
      'an AuthorizationPolicy turned into a CUSTOM (an external authorizer)',
      of('AuthorizationPolicy', (s) => ({ ...s, action: 'CUSTOM', provider: { name: 'evil' } })),
    ],
    [
      'an AuthorizationPolicy selecting the ingress gateway',
      of('AuthorizationPolicy', (s) => ({ ...s, selector: { matchLabels: { istio: 'ingressgateway' } } })),
    ],
    [
      'an AuthorizationPolicy selecting the egress gateway and more',
      of('AuthorizationPolicy', (s) => ({
        ...s,
        selector: { matchLabels: { istio: 'egressgateway', app: 'payments' } },
      })),
    ],
    [
      'an AuthorizationPolicy for the whole namespace (no selector)',
      of('AuthorizationPolicy', ({ selector: _selector, ...s }) => s),
    ],
    [
      'an AuthorizationPolicy attached by targetRefs',
      of('AuthorizationPolicy', ({ selector: _selector, ...s }) => ({
        ...s,
        targetRefs: [{ group: '', kind: 'Service', name: 'istio-egressgateway' }],
      })),
    ],
    ...['15000', '15021', '443'].map((port): [string, () => KubeObject] => [
      `an AuthorizationPolicy on port ${port}, outside the range`,
      of(
        'AuthorizationPolicy',
        rules((r) => ({ ...r, to: [{ operation: { ports: [port] } }] })),
      ),
    ]),
    [
      'an AuthorizationPolicy on every port but ours (notPorts)',
      of(
        'AuthorizationPolicy',
        rules((r) => ({ ...r, to: [{ operation: { notPorts: ['16379'] } }] })),
      ),
    ],
    ['an AuthorizationPolicy denying nothing (no rules)', of('AuthorizationPolicy', (s) => ({ ...s, rules: [] }))],
    [
      'an AuthorizationPolicy sparing every principal (a wildcard)',
      of(
        'AuthorizationPolicy',
        rules((r) => ({ ...r, from: [{ source: { notPrincipals: ['*'] } }] })),
      ),
    ],
    [
      'an AuthorizationPolicy denying only one caller (principals: the deny narrowed)',
      of(
        'AuthorizationPolicy',
        rules((r) => ({ ...r, from: [{ source: { principals: ['cluster.local/ns/x/sa/y'] } }] })),
      ),
    ],
    [
      'an AuthorizationPolicy with a condition (when)',
      of(
        'AuthorizationPolicy',
        rules((r) => ({ ...r, when: [{ key: 'source.ip', values: ['10.9.9.9'] }] })),
      ),
    ],
    [
      'a Gateway server terminating TLS other than Istio mutual TLS',
      of(
        'Gateway',
        servers((v) => ({ ...v, tls: { mode: 'SIMPLE', credentialName: 'stolen-cert' } })),
      ),
    ],
    [
      'a Gateway server with Istio mutual TLS and more TLS settings',
      of(
        'Gateway',
        servers((v) => ({ ...v, tls: { mode: 'ISTIO_MUTUAL', subjectAltNames: ['spiffe://evil'] } })),
      ),
    ],
    [
      'a Gateway server of protocol TLS without tls',
      of(
        'Gateway',
        servers(({ tls: _tls, ...v }) => v),
      ),
    ],
    [
      'a DestinationRule subset originating plain TLS',
      of(
        'DestinationRule',
        subsets((v) => ({ ...v, trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'x.memorystore.internal' } } })),
      ),
    ],
    [
      'a DestinationRule subset with Istio mutual TLS to an in-mesh name',
      of(
        'DestinationRule',
        subsets((v) => ({ ...v, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: 'redis.default.svc' } } })),
      ),
    ],
    [
      'a DestinationRule subset with more policy than Istio mutual TLS',
      of(
        'DestinationRule',
        subsets((v) => ({
          ...v,
          trafficPolicy: { ...(v['trafficPolicy'] as Spec), loadBalancer: { simple: 'RANDOM' } },
        })),
      ),
    ],
    [
      'a ServiceEntry exported to declared namespaces without the gateway',
      of('ServiceEntry', (s) => ({ ...s, exportTo: ['payments', 'orders'] })),
    ],
    [
      'a ServiceEntry exported everywhere besides the gateway',
      of('ServiceEntry', (s) => ({ ...s, exportTo: ['*', namespace] })),
    ],
    ['a VirtualService exported without the gateway', of('VirtualService', (s) => ({ ...s, exportTo: ['payments'] }))],
    ['a DestinationRule exported to its own namespace only', of('DestinationRule', (s) => ({ ...s, exportTo: ['.'] }))],
  ])('%s', async (_what, object) => {
    refusedBy(namespace)(await sync.create(object()));
  });

  test('through their own adapter: create, replace and delete the declared objects of an instance', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(stack.syncUserKubeconfig);
    const store = new KubeClusterStore(kubeConfig, OWNER);
    try {
      const created = await Promise.all(rendered.map((o) => store.create(o)));
      const listed = await store.listIstio(namespace);
      expect(listed.map((o) => o.kind).sort()).toEqual(rendered.map((o) => o.kind).sort());
      const replaced = await Promise.all(created.map((o) => store.replace(o)));
      await Promise.all(replaced.map((o) => store.delete(o)));
      expect([...(await new ClusterView(stack.adminKubeconfig, namespace).istioObjects()).keys()]).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

test('an AuthorizationPolicy outside the egress gateway namespace is refused: its selector would guard nothing', async () => {
  const namespace = 'e2e-admission-access-apart';
  const gatewayNamespace = 'e2e-admission-access-gw';
  await createEgressGatewayFixtures(stack.adminKubeconfig, {
    namespace: gatewayNamespace,
    service: 'istio-egressgateway',
  });
  await createEgressGatewayFixtures(stack.adminKubeconfig, { namespace, service: 'unused' });
  await bindRbac(stack.adminKubeconfig, policyFor(namespace, gatewayNamespace));
  // Rendered as if the objects could live apart from the gateway (the configuration refuses it: parse-config.ts).
  const settings = testPlanSettings({ ISTIO_NAMESPACE: namespace, OWNER_ID: OWNER });
  const policy = renderEgress(nameOf('cache-a'), [endpoint], settings, access).at(-1)!;
  expect(policy.kind).toBe('AuthorizationPolicy');
  const result = await new DryRunClient(stack.syncUserKubeconfig, namespace).create(policy);
  refusedBy(namespace)(result);
  expect(result.message).toContain("sit in the egress gateway's namespace");
});
