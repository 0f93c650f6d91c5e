import { ConfigError } from '../../../shared/errors.js';
import { testSettings } from '../../../dev/fixtures/settings.js';

/**
 * A selector AuthorizationPolicy applies to workloads of its own namespace only (or, from Istio's root namespace, to
 * all): in declared egress-gateway mode, objects written anywhere but the gateway's namespace would guard nothing.
 */
test('declared egress-gateway mode with the objects outside the gateway namespace is refused, naming the variable', () => {
  const apart = () => testSettings({ ACCESS_MODE: 'declared', ISTIO_NAMESPACE: 'mesh-config' });
  expect(apart).toThrow(ConfigError);
  expect(apart).toThrow(/^ISTIO_NAMESPACE: .*EGRESS_GATEWAY_NAMESPACE \(istio-system\).*mesh-config/);
});

test('declared mode with the objects in the gateway namespace, declared direct mode and open mode are accepted', () => {
  expect(testSettings({ ACCESS_MODE: 'declared' }).process.access.mode).toBe('declared');
  expect(
    testSettings({ ACCESS_MODE: 'declared', SYNC_MODE: 'direct', ISTIO_NAMESPACE: 'mesh-config' }).clusters[0].mode,
  ).toBe('direct');
  expect(testSettings({ ISTIO_NAMESPACE: 'mesh-config' }).clusters[0].istioNamespace).toBe('mesh-config');
});
