import { ConfigError } from '../../../shared/errors.js';
import { testConfig } from '../../../dev/fixtures/settings.js';

/**
 * A selector AuthorizationPolicy applies to workloads of its own namespace only (or, from Istio's root namespace, to
 * all): in declared egress-gateway mode, objects written anywhere but the gateway's namespace would guard nothing.
 */
test('declared egress-gateway mode with the objects outside the gateway namespace is refused, naming the variable', () => {
  const apart = () => testConfig({ ACCESS_MODE: 'declared', ISTIO_NAMESPACE: 'mesh-config' });
  expect(apart).toThrow(ConfigError);
  expect(apart).toThrow(/^ISTIO_NAMESPACE: .*EGRESS_GATEWAY_NAMESPACE \(istio-system\).*mesh-config/);
});

test('declared mode with the objects in the gateway namespace, declared direct mode and open mode are accepted', () => {
  expect(testConfig({ ACCESS_MODE: 'declared' }).access.mode).toBe('declared');
  expect(testConfig({ ACCESS_MODE: 'declared', SYNC_MODE: 'direct', ISTIO_NAMESPACE: 'mesh-config' }).mode).toBe(
    'direct',
  );
  expect(testConfig({ ISTIO_NAMESPACE: 'mesh-config' }).istioNamespace).toBe('mesh-config');
});
