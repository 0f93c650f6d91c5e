import { BlockList, isIPv4 } from 'node:net';
import { parse } from 'yaml';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { loadKubeconfig } from '../../dev/harness/control-plane/index.js';
import { renderTemplate } from '../../dev/harness/control-plane/templates.js';
import { sharedStack } from './shared-stack.js';

/**
 * The bypass example (terraform/examples/least-access/network-policy.yaml.tftpl) on the real apiserver: admitted as
 * rendered, its blocks exactly the configured ranges. The test apiserver enforces no NetworkPolicy (that is the
 * network plugin's work: Dataplane V2 on GKE), so what it would let through is decided by the API's documented
 * semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod selected by an Egress
 * policy may send only what one of those policies' rules allows; a pod no policy selects is not isolated.
 */
const stack = sharedStack();
const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(stack.adminKubeconfig));
const IPV4 = ['10.120.0.0/20', '10.130.0.8/29'];
const IPV6 = ['fd20:a1::/64'];
const GATEWAY_LABELS = { app: 'istio-egressgateway', istio: 'egressgateway' };
const EVERY_POD = '{}';
const ALL_BUT_THE_GATEWAY = JSON.stringify({
  matchExpressions: [{ key: 'istio', operator: 'NotIn', values: ['egressgateway'] }],
});

interface Policy {
  metadata: { namespace: string };
  spec: {
    podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; values: string[] }[] };
    policyTypes: string[];
    egress: { to: Array<{ ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: object }> }[];
  };
}

function policyFor(namespace: string, podSelector: string): Policy {
  const text = renderTemplate('../examples/least-access/network-policy.yaml.tftpl', {
    namespace,
    pod_selector: podSelector,
    memorystore_ipv4: JSON.stringify(IPV4),
    memorystore_ipv6: JSON.stringify(IPV6),
  });
  return parse(text) as Policy;
}

const contains = (cidr: string, address: string): boolean => {
  const list = new BlockList();
  const [net, prefix] = cidr.split('/');
  list.addSubnet(net!, Number(prefix), isIPv4(net!) ? 'ipv4' : 'ipv6');
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
};

const selects = (policy: Policy, labels: Record<string, string>): boolean =>
  Object.entries(policy.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (policy.spec.podSelector.matchExpressions ?? []).every((e) => !e.values.includes(labels[e.key] ?? ''));

/** May a pod (namespace, labels) open a connection to an address outside the cluster? */
function egressAllowed(
  policies: readonly Policy[],
  pod: { namespace: string; labels: Record<string, string> },
  to: string,
) {
  const applying = policies.filter(
    (p) => p.metadata.namespace === pod.namespace && p.spec.policyTypes.includes('Egress') && selects(p, pod.labels),
  );
  if (applying.length === 0) return true;
  return applying.some((p) =>
    p.spec.egress.some((rule) =>
      rule.to.some(
        (peer) =>
          peer.ipBlock !== undefined &&
          isIPv4(to) === isIPv4(peer.ipBlock.cidr.split('/')[0]!) &&
          contains(peer.ipBlock.cidr, to) &&
          !(peer.ipBlock.except ?? []).some((e) => contains(e, to)),
      ),
    ),
  );
}

/** Ambient mode: in the egress namespace every pod but the waypoint's, which Istio labels with its Gateway's name. */
const WAYPOINT_LABELS = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
const ALL_BUT_THE_WAYPOINT = JSON.stringify({
  matchExpressions: [{ key: 'gateway.networking.k8s.io/gateway-name', operator: 'NotIn', values: ['waypoint'] }],
});

const served = policyFor('e2e-netpol-team-a', EVERY_POD);
const gateway = policyFor('e2e-netpol-gateway', ALL_BUT_THE_GATEWAY);
const egress = policyFor('e2e-netpol-egress', ALL_BUT_THE_WAYPOINT);

test('admitted by the real apiserver as rendered, with blocks that are exactly the configured ranges', async () => {
  for (const policy of [served, gateway, egress]) {
    const namespace = policy.metadata.namespace;
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await api.create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...(policy as object) });
    const stored = (await api.read({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'memorystore-only-through-egress-gateway', namespace },
    })) as unknown as Policy;
    const blocks = stored.spec.egress.flatMap((r) => r.to.flatMap((p) => (p.ipBlock ? [p.ipBlock] : [])));
    expect(blocks).toEqual([
      { cidr: '0.0.0.0/0', except: IPV4 },
      { cidr: '::/0', except: IPV6 },
    ]);
    expect(stored.spec.policyTypes).toEqual(['Egress']);
  }
});

test.each<[string, string, boolean, { namespace: string; labels: Record<string, string> }]>([
  ['a workload', '10.120.0.5', false, { namespace: 'e2e-netpol-team-a', labels: { app: 'orders' } }],
  ['a workload (IPv6)', 'fd20:a1::5', false, { namespace: 'e2e-netpol-team-a', labels: { app: 'orders' } }],
  [
    'a workload labelled as the gateway',
    '10.130.0.9',
    false,
    { namespace: 'e2e-netpol-team-a', labels: GATEWAY_LABELS },
  ],
  ['a workload, elsewhere', '10.200.0.1', true, { namespace: 'e2e-netpol-team-a', labels: { app: 'orders' } }],
  ['a workload, the internet', '8.8.8.8', true, { namespace: 'e2e-netpol-team-a', labels: { app: 'orders' } }],
  ['the egress gateway', '10.120.0.5', true, { namespace: 'e2e-netpol-gateway', labels: GATEWAY_LABELS }],
  [
    'another pod of the gateway namespace',
    '10.120.0.5',
    false,
    { namespace: 'e2e-netpol-gateway', labels: { app: 'x' } },
  ],
  ['a pod of a namespace not served', '10.120.0.5', true, { namespace: 'elsewhere', labels: {} }],
  ['ambient: the waypoint', '10.120.0.5', true, { namespace: 'e2e-netpol-egress', labels: WAYPOINT_LABELS }],
  ['ambient: another pod of the egress namespace', '10.120.0.5', false, { namespace: 'e2e-netpol-egress', labels: {} }],
  [
    'ambient: a workload labelled as the waypoint',
    '10.120.0.5',
    false,
    { namespace: 'e2e-netpol-team-a', labels: WAYPOINT_LABELS },
  ],
])('%s → %s: allowed %s', (_who, to, allowed, pod) => {
  expect(egressAllowed([served, gateway, egress], pod, to)).toBe(allowed);
});
