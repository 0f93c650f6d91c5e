import { endpointsOf } from '../../../shared/model/instance.js';
import { NO_ACCESS, type InstanceAccess } from '../../../shared/model/access.js';
import { renderAmbient, TARGET_REFS_PER_POLICY } from '../../../shared/render/render-ambient.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';

const settings = testPlanSettings({ SYNC_MODE: 'ambient' });
const name = nameOf('cache-1');
const instance = readyInstance('cache-1', { readEndpoint: '10.0.0.9', readEndpointPort: 6379 });
const endpoints = endpointsOf(instance)!;
const grant: InstanceAccess = {
  namespaces: ['orders'],
  principals: ['cluster.local/ns/billing/sa/api'],
  declaredBy: ['billing/caches', 'orders/caches'],
};

test('the ServiceEntries are direct mode open ones with no endpoints (resolution NONE), labelled for the waypoint', () => {
  const entries = renderAmbient(name, { endpoints }, settings);
  const direct = renderDirect(name, endpoints, testPlanSettings({ SYNC_MODE: 'direct' }));
  // An endpoint at the instance's address would make it a workload with no waypoint in ztunnel's index.
  const withoutEndpoints = direct.map(({ spec: { endpoints: _, ...spec } }) => ({ ...spec, resolution: 'NONE' }));
  expect(entries.map((e) => e.spec)).toEqual(withoutEndpoints);
  expect(entries.every((e) => !('endpoints' in e.spec))).toBe(true);
  expect(entries.map((e) => e.metadata.name)).toEqual(direct.map((e) => e.metadata.name));
  expect(entries.map((e) => e.metadata.labels?.['istio.io/use-waypoint'])).toEqual(['waypoint', 'waypoint']);
  expect(entries.map((e) => e.metadata.namespace)).toEqual(['istio-system', 'istio-system']);
});

test('declared: one ALLOW policy on the instance ServiceEntries, a source for principals and one for namespaces', () => {
  const objects = renderAmbient(name, { endpoints }, settings, grant);
  const entries = objects.filter((o) => o.kind === 'ServiceEntry');
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy');
  expect(policies).toHaveLength(1);
  expect(policies[0]).toMatchObject({ apiVersion: 'security.istio.io/v1', metadata: { namespace: 'istio-system' } });
  expect(policies[0]!.spec).toEqual({
    targetRefs: entries.map((e) => ({ group: 'networking.istio.io', kind: 'ServiceEntry', name: e.metadata.name })),
    action: 'ALLOW',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/billing/sa/api'] } }, { source: { namespaces: ['orders'] } }],
        to: [{ operation: { ports: ['6379'] } }],
      },
    ],
  });
});

test('declared, nobody declared: the policy has no rule (ALLOW matching nothing denies every caller)', () => {
  const [policy] = renderAmbient(name, { endpoints }, settings, NO_ACCESS).filter(
    (o) => o.kind === 'AuthorizationPolicy',
  );
  expect(policy!.spec).toEqual({ targetRefs: expect.any(Array), action: 'ALLOW' });
});

test('more ServiceEntries than one policy may target: a policy per 16, each on its own entries and ports', () => {
  const shardedSettings = testPlanSettings({ SYNC_MODE: 'ambient', SHARDED_NODE_PORTS: 'true' });
  const nodePorts = { addresses: ['10.40.0.2', '10.40.0.3'], range: { from: 11000, to: 13047 } };
  const objects = renderAmbient(name, { endpoints: endpoints.slice(0, 1), nodePorts }, shardedSettings, grant);
  const entries = objects.filter((o) => o.kind === 'ServiceEntry');
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy');
  // The discovery endpoint, then each block of node ports once per address (the waypoint serves one address a host).
  expect(entries).toHaveLength(65);
  expect(entries.every((e) => (e.spec['addresses'] as unknown[]).length === 1)).toBe(true);
  expect(new Set(entries.map((e) => (e.spec['hosts'] as string[])[0])).size).toBe(65);
  expect(entries.slice(1, 3).map((e) => e.spec['addresses'])).toEqual([['10.40.0.2/32'], ['10.40.0.3/32']]);
  expect(policies.map((p) => (p.spec['targetRefs'] as unknown[]).length)).toEqual([16, 16, 16, 16, 1]);
  expect(policies.every((p) => (p.spec['targetRefs'] as unknown[]).length <= TARGET_REFS_PER_POLICY)).toBe(true);
  const ports = policies.map((p) => (p.spec['rules'] as { to: { operation: { ports: string[] } }[] }[])[0]!.to[0]!);
  expect(ports[0]!.operation.ports).toHaveLength(1 + 8 * 64);
  expect(ports[4]!.operation.ports).toEqual(Array.from({ length: 64 }, (_, i) => String(12984 + i)));
  expect(new Set(policies.map((p) => p.metadata.name)).size).toBe(5);
});
