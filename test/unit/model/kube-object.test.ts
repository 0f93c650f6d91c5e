import { isKind, type KubeObject } from '../../../shared/model/k8s-object.js';
import { renderEgress } from '../../../shared/render/render-instance.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { nameOf } from '../../fixtures/instances.js';

// An object's spec is typed by its kind: a ServiceEntry's spec is a ServiceEntry spec, known once the kind is, with no
// cast; a live one may lack any field (anyone may have edited it) or hold fields others added.
const primary = { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16000 };
const rendered = renderEgress(nameOf('cache-1'), [primary], testPlanSettings());
const metadata = { name: 'x', namespace: 'istio-system' };

describe('a Kubernetes object, by its kind', () => {
  test('its kind narrows its spec: a Gateway has servers, a ServiceEntry hosts', () => {
    const gateway = rendered.find((o) => isKind(o, 'Gateway'));
    const entry = rendered.find((o) => isKind(o, 'ServiceEntry'));
    const ports: number[] = isKind(gateway, 'Gateway')
      ? (gateway.spec.servers ?? []).map((s) => s.port?.number ?? 0)
      : [];
    const hosts: readonly string[] = isKind(entry, 'ServiceEntry') ? (entry.spec.hosts ?? []) : [];
    expect(ports).toEqual([16000]);
    expect(hosts).toEqual(['cache-1.us-central1.test-project.memorystore.internal']);
    expect(isKind(gateway, 'ServiceEntry')).toBe(false);
  });

  test("a field of another shape than its kind's is refused; one the project does not write is kept", () => {
    // @ts-expect-error a ServiceEntry's hosts are a list
    const wrong: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata,
      spec: { hosts: 'h' },
    };
    const foreign: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata,
      spec: { hosts: ['h'], resolution: 'DNS', workloadSelector: { labels: { app: 'a' } } },
    };
    expect([wrong.kind, foreign.kind]).toEqual(['ServiceEntry', 'ServiceEntry']);
  });
});
