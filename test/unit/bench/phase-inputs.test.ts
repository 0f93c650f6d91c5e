import { objectPath } from '../../../scripts/bench/ceiling-probe-phase.js';
import { DEFAULT_PORTS, portsWanted } from '../../../scripts/bench/ports-phase.js';

describe("the ceiling probe's object paths", () => {
  it('puts a core kind under /api and an Istio kind under /apis/<group>/<version>', () => {
    const metadata = { namespace: 'ceiling-probe', name: 'istio-egressgateway' };
    expect(objectPath({ apiVersion: 'v1', kind: 'Service', metadata } as never)).toBe(
      '/api/v1/namespaces/ceiling-probe/services/istio-egressgateway',
    );
    expect(
      objectPath({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { namespace: 'ceiling-probe', name: 'redis-a' },
      } as never),
    ).toBe('/apis/networking.istio.io/v1/namespaces/ceiling-probe/serviceentries/redis-a');
  });

  it('names a kind it has no resource for', () => {
    expect(() => objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } as never)).toThrow(
      /ConfigMap/,
    );
  });
});

describe('BENCH_PORTS', () => {
  it('is 20,000 ports unless set, a number, or off', () => {
    expect(portsWanted(undefined)).toBe(DEFAULT_PORTS);
    expect(DEFAULT_PORTS).toBe(20_000);
    expect(portsWanted('500')).toBe(500);
    expect(portsWanted('off')).toBeUndefined();
  });

  it('names itself when it is not a number of ports', () => {
    expect(() => portsWanted('many')).toThrow(/BENCH_PORTS/);
    expect(() => portsWanted('2')).toThrow(/BENCH_PORTS/);
  });
});
