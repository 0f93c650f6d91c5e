import { parseSettings } from '../../../shared/config/parse-config.js';
import { BASE_ENV, testPlanSettings, configProblems } from '../../../dev/fixtures/settings.js';

/** AMBIENT_GATEWAY_BRIDGE and EGRESS_GATEWAY_PRINCIPAL (test/unit/plan/gateway-bridge.test.ts: what they render). */
const BRIDGE = { SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' };

const problemsOf = (env: Record<string, string>): string[] => configProblems(env);

describe('the gateway bridge settings', () => {
  test("in ambient mode: the egress gateway's principal is Istio's default install's, or EGRESS_GATEWAY_PRINCIPAL", () => {
    expect(testPlanSettings(BRIDGE).gatewayBridge).toEqual({
      gatewayPrincipal: 'cluster.local/ns/istio-system/sa/istio-egressgateway-service-account',
    });
    const own = { ...BRIDGE, EGRESS_GATEWAY_PRINCIPAL: 'mesh.example/ns/egress/sa/gw', ACCESS_TRUST_DOMAIN: 'x.y' };
    expect(testPlanSettings(own).gatewayBridge).toEqual({ gatewayPrincipal: 'mesh.example/ns/egress/sa/gw' });
    expect(testPlanSettings({ SYNC_MODE: 'ambient' }).gatewayBridge).toBeUndefined();
  });

  test('outside ambient mode, or with a principal that is none, the variable is named', () => {
    expect(problemsOf({ AMBIENT_GATEWAY_BRIDGE: 'true' })).toEqual([
      expect.stringMatching(
        /^AMBIENT_GATEWAY_BRIDGE: expected `false` unless SYNC_MODE .* got `true` with SYNC_MODE=egress-gateway$/,
      ),
    ]);
    expect(problemsOf({ ...BRIDGE, EGRESS_GATEWAY_PRINCIPAL: '*' })).toEqual([
      expect.stringMatching(/^EGRESS_GATEWAY_PRINCIPAL: /),
    ]);
  });

  test('per cluster in SYNC_CLUSTERS: only with mode ambient; AMBIENT_GATEWAY_BRIDGE is for the ambient ones', () => {
    const cluster = (name: string, more: object) => ({ name, kubeconfig: `/k/${name}`, ...more });
    const env = (clusters: object[], extra: Record<string, string> = {}) => ({
      SYNC_CLUSTERS: JSON.stringify(clusters),
      ...extra,
    });
    expect(problemsOf(env([cluster('a', { mode: 'direct', gatewayBridge: true })]))).toEqual([
      'SYNC_CLUSTERS: cluster a: `gatewayBridge: true` goes with mode `ambient`, not direct',
    ]);
    const mixed = parseSettings({
      ...BASE_ENV,
      ...env(
        [cluster('a', { mode: 'ambient' }), cluster('b', {}), cluster('c', { mode: 'ambient', gatewayBridge: false })],
        { AMBIENT_GATEWAY_BRIDGE: 'true' },
      ),
    });
    expect(mixed.clusters.map((c) => [c.name, c.gatewayBridge !== undefined])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);
  });

  test('declared access needs the objects in the egress gateway namespace, where its policy applies', () => {
    const apart = { ...BRIDGE, ACCESS_MODE: 'declared', ISTIO_NAMESPACE: 'egress', EGRESS_GATEWAY_NAMESPACE: 'gw' };
    expect(problemsOf(apart)).toEqual([expect.stringMatching(/^ISTIO_NAMESPACE: ACCESS_MODE=declared/)]);
  });
});
