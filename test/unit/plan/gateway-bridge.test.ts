import type { InstanceAccess } from '../../../shared/model/access.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import { objectName, serviceEntryName } from '../../../shared/render/names.js';
import { waypointPolicyName } from '../../../shared/render/render-ambient.js';
import { activeValkey, nameOf, readyInstance, valkeyName } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan, writes } from '../../fixtures/plan-harness.js';

/**
 * AMBIENT_GATEWAY_BRIDGE: ambient mode keeps egress-gateway mode's route for pods still on sidecars, ending at the
 * waypoint. What Istio makes of it is asked of Istio's own code in test/integration/ambient.test.ts.
 */
const BRIDGE = { SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' };
const name = nameOf('cache-1');
const cache = { name, instance: readyInstance('cache-1') };
const grant: InstanceAccess = {
  namespaces: ['orders'],
  principals: ['cluster.local/ns/billing/sa/api'],
  declaredBy: ['billing/caches', 'orders/caches'],
};
const access = new Map([[name.full, grant]]);
const entry = `ServiceEntry/${serviceEntryName(name, 'primary')}`;
const waypointPolicy = `AuthorizationPolicy/${waypointPolicyName(name, 0)}`;
const byKind = (objects: readonly KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe('render', () => {
  const objects = plan(emptyWorld(), [cache], BRIDGE, { access }).changes.flatMap((c) =>
    c.target === 'object' && c.after ? [c.after] : [],
  );

  test('the ServiceEntry is served by the waypoint, gateways too, with no endpoint; exported as the gateway route', () => {
    const [se] = byKind(objects, 'ServiceEntry');
    expect(se!.metadata.labels).toMatchObject({
      'istio.io/use-waypoint': 'waypoint',
      'istio.io/ingress-use-waypoint': 'true',
    });
    expect(se!.spec).toMatchObject({ resolution: 'NONE', exportTo: ['billing', 'istio-system', 'orders'] });
    expect(se!.spec).not.toHaveProperty('endpoints');
    const [vs] = byKind(objects, 'VirtualService');
    expect(vs!.spec['exportTo']).toEqual(['billing', 'istio-system', 'orders']);
  });

  test("the gateway's route and policy are egress-gateway mode's; the waypoint admits the callers and the gateway", () => {
    const egress = plan(emptyWorld(), [cache], {}, { access }).changes.flatMap((c) =>
      c.target === 'object' && c.after ? [c.after] : [],
    );
    for (const kind of ['Gateway', 'DestinationRule', 'VirtualService'])
      expect(byKind(objects, kind).map((o) => o.spec)).toEqual(byKind(egress, kind).map((o) => o.spec));
    const policies = byKind(objects, 'AuthorizationPolicy');
    const gatewayPolicy = policies.find((p) => p.metadata.name === objectName(name));
    expect(gatewayPolicy!.spec).toEqual(byKind(egress, 'AuthorizationPolicy')[0]!.spec);
    const waypoint = policies.find((p) => p.metadata.name === waypointPolicyName(name, 0));
    expect(waypoint!.spec['rules']).toEqual([
      {
        from: [
          {
            source: {
              principals: [
                'cluster.local/ns/billing/sa/api',
                'cluster.local/ns/istio-system/sa/istio-egressgateway-service-account',
              ],
            },
          },
          { source: { namespaces: ['orders'] } },
        ],
        to: [{ operation: { ports: ['6379'] } }],
      },
    ]);
  });

  test('a sharded target gets no gateway route (egress-gateway mode cannot route it): ambient mode alone', () => {
    const vk = valkeyName('vk-shards');
    const sharded = { name: vk, instance: activeValkey('vk-shards', { mode: 'CLUSTER' }) };
    const result = plan(emptyWorld(), [sharded], BRIDGE, { access: new Map([[vk.full, grant]]) });
    const kinds = writes(result).map((w) => w.split(/[ /]/)[1]);
    expect([...new Set(kinds)].sort()).toEqual(['AuthorizationPolicy', 'ServiceEntry']);
    const [se] = result.changes.flatMap((c) =>
      c.target === 'object' && c.after?.kind === 'ServiceEntry' ? [c.after] : [],
    );
    expect(se!.metadata.labels?.['istio.io/ingress-use-waypoint']).toBeUndefined();
    expect(se!.spec['exportTo']).toEqual(['istio-system']);
  });
});

describe('order', () => {
  test('ambient to the bridge: the ServiceEntry that gives sidecars the address is written after their route', () => {
    const ambient = apply(emptyWorld(), plan(emptyWorld(), [cache], { SYNC_MODE: 'ambient' }, { access }));
    expect(writes(plan(ambient, [cache], BRIDGE, { access }))).toEqual([
      `update ${waypointPolicy}`,
      'update Service',
      `create Gateway/${objectName(name)}`,
      `create DestinationRule/${objectName(name)}`,
      `create VirtualService/${objectName(name)}`,
      `create AuthorizationPolicy/${objectName(name)}`,
      `update ${entry}`,
    ]);
  });

  test('the bridge to ambient: the waypoint stops admitting the gateway first, the route goes last', () => {
    const bridged = apply(emptyWorld(), plan(emptyWorld(), [cache], BRIDGE, { access }));
    expect(writes(plan(bridged, [cache], { SYNC_MODE: 'ambient' }, { access }))).toEqual([
      `update ${waypointPolicy}`,
      `update ${entry}`,
      `delete AuthorizationPolicy/${objectName(name)}`,
      `delete VirtualService/${objectName(name)}`,
      `delete DestinationRule/${objectName(name)}`,
      `delete Gateway/${objectName(name)}`,
      'update Service',
    ]);
  });
});
