import { renderDirect, renderEgress } from '../../../shared/render/render-instance.js';
import { renderNodePorts } from '../../../shared/render/render-node-ports.js';
import { endpointHost, objectName, subsetName } from '../../../shared/render/names.js';
import { decodeAccess, NO_ACCESS, type InstanceAccess } from '../../../shared/model/access.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import { nameOf } from '../../fixtures/instances.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';

/** ACCESS_MODE=declared: what each instance's objects carry, and the one policy it adds (docs/least-access-mesh.md). */
const cache = nameOf('cache-1');
const settings = testPlanSettings({ ACCESS_MODE: 'declared' });
const primary = { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16000 };
const read = { role: 'read' as const, address: '10.0.0.4', port: 6379, gatewayPort: 16001 };
const host = endpointHost(cache, 'primary', settings.hostSuffix);
const readHost = endpointHost(cache, 'read', settings.hostSuffix);
const access: InstanceAccess = {
  namespaces: ['payments'],
  principals: ['cluster.local/ns/orders/sa/checkout', 'cluster.local/ns/orders/sa/checkout'],
  declaredBy: ['orders/checkout-cache', 'payments/all'],
};
const byKind = (objects: KubeObject[], kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
const one = (objects: KubeObject[], kind: string): KubeObject => byKind(objects, kind)[0]!;

describe('egress-gateway mode, declared', () => {
  const objects = renderEgress(cache, [primary, read], settings, access);

  test('the routes are exported to the declaring namespaces and the gateway namespace only', () => {
    for (const object of objects.filter((o) => o.kind === 'ServiceEntry' || o.kind === 'VirtualService'))
      expect([object.kind, object.spec['exportTo']]).toEqual([object.kind, ['istio-system', 'orders', 'payments']]);
  });

  test('the DestinationRule is not narrowed: Istio does not merge rules of one host (the gateway) whose exportTo differ', () => {
    expect(one(objects, 'DestinationRule').spec['exportTo']).toBeUndefined();
  });

  test('each ServiceEntry carries the access it was rendered with', () => {
    for (const entry of byKind(objects, 'ServiceEntry'))
      expect(decodeAccess(entry.metadata.annotations?.['memorystore-egress-sync/access'])).toEqual({
        namespaces: ['payments'],
        principals: ['cluster.local/ns/orders/sa/checkout'],
        declaredBy: ['orders/checkout-cache', 'payments/all'],
      });
  });

  test('the Gateway terminates Istio mutual TLS on each gateway port, for the endpoint host', () => {
    expect(one(objects, 'Gateway').spec['servers']).toEqual([
      {
        port: { number: 16000, name: 'tcp-redis-primary', protocol: 'TLS' },
        hosts: [host],
        tls: { mode: 'ISTIO_MUTUAL' },
      },
      {
        port: { number: 16001, name: 'tcp-redis-read', protocol: 'TLS' },
        hosts: [readHost],
        tls: { mode: 'ISTIO_MUTUAL' },
      },
    ]);
  });

  test('each subset originates Istio mutual TLS with its endpoint host as SNI', () => {
    expect(one(objects, 'DestinationRule').spec['subsets']).toEqual([
      { name: subsetName(cache, 'primary'), trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: host } } },
      { name: subsetName(cache, 'read'), trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: readHost } } },
    ]);
  });

  test('one DENY policy on the gateway workload refuses anyone not declared, on exactly its gateway ports', () => {
    const policy = one(objects, 'AuthorizationPolicy');
    expect(policy.apiVersion).toBe('security.istio.io/v1');
    expect(policy.metadata).toEqual({ ...one(objects, 'Gateway').metadata, name: objectName(cache) });
    expect(policy.spec).toEqual({
      selector: { matchLabels: { istio: 'egressgateway' } },
      action: 'DENY',
      rules: [
        {
          from: [{ source: { notPrincipals: ['cluster.local/ns/orders/sa/checkout'], notNamespaces: ['payments'] } }],
          to: [{ operation: { ports: ['16000', '16001'] } }],
        },
      ],
    });
  });

  test('the policy is the last object: applied after the routes, deleted before them', () => {
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceEntry',
      'ServiceEntry',
      'Gateway',
      'DestinationRule',
      'VirtualService',
      'AuthorizationPolicy',
    ]);
  });
});

describe('the policy with partial grants: an empty list would match everyone (Istio treats it as unset)', () => {
  const policyOf = (grant: InstanceAccess) =>
    one(renderEgress(cache, [primary], settings, grant), 'AuthorizationPolicy').spec['rules'];

  test('namespaces only: no notPrincipals', () => {
    expect(policyOf({ namespaces: ['payments'], principals: [], declaredBy: ['payments/all'] })).toEqual([
      { from: [{ source: { notNamespaces: ['payments'] } }], to: [{ operation: { ports: ['16000'] } }] },
    ]);
  });

  test('principals only: no notNamespaces', () => {
    const principals = ['cluster.local/ns/orders/sa/checkout'];
    expect(policyOf({ namespaces: [], principals, declaredBy: ['orders/x'] })).toEqual([
      { from: [{ source: { notPrincipals: principals } }], to: [{ operation: { ports: ['16000'] } }] },
    ]);
  });

  test('nobody declared: no `from`, so everyone is denied on its ports; only the gateway sees its routes', () => {
    const objects = renderEgress(cache, [primary], settings, NO_ACCESS);
    expect(one(objects, 'AuthorizationPolicy').spec['rules']).toEqual([{ to: [{ operation: { ports: ['16000'] } }] }]);
    expect(one(objects, 'ServiceEntry').spec['exportTo']).toEqual(['istio-system']);
    expect(one(objects, 'VirtualService').spec['exportTo']).toEqual(['istio-system']);
  });
});

describe('direct mode, declared', () => {
  const direct = testPlanSettings({ ACCESS_MODE: 'declared', SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true' });

  test('ServiceEntries exported to the declaring namespaces and the gateway namespace, with the access; no policy', () => {
    const objects = renderDirect(cache, [primary], direct, access);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceEntry']);
    expect(objects[0]!.spec['exportTo']).toEqual(['istio-system', 'orders', 'payments']);
    expect(objects[0]!.metadata.annotations?.['memorystore-egress-sync/access']).toBeDefined();
  });

  test("a sharded target's node-port ServiceEntries are narrowed the same way", () => {
    const nodePorts = { addresses: ['10.0.0.8'], range: { from: 11000, to: 11003 } };
    const [entry] = renderNodePorts(cache, nodePorts, direct, access);
    expect(entry!.spec['exportTo']).toEqual(['istio-system', 'orders', 'payments']);
    expect(entry!.metadata.annotations?.['memorystore-egress-sync/access']).toBeDefined();
  });
});

test('open mode (no access) renders exactly as before: no annotation, no TLS, no exportTo on routes, no policy', () => {
  const open = renderEgress(cache, [primary], testPlanSettings());
  expect(open.map((o) => o.kind)).toEqual(['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService']);
  expect(JSON.stringify(open)).not.toMatch(/ISTIO_MUTUAL|memorystore-egress-sync\/access|"TLS"/);
  expect(one(open, 'VirtualService').spec['exportTo']).toBeUndefined();
  expect(one(open, 'DestinationRule').spec['exportTo']).toBeUndefined();
});
