import { isPortChange, type Plan } from '../../../shared/plan/plan-types.js';
import { objectName } from '../../../shared/render/names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan } from '../../fixtures/plan-harness.js';

const ONE_SERVICE = { GATEWAY_PORT_RANGE: '16000-16005', GATEWAY_PORTS_PER_SERVICE: '1000' };
const BLOCKS_OF_TWO = { GATEWAY_PORT_RANGE: '16000-16005', GATEWAY_PORTS_PER_SERVICE: '2' };
const observe = (id: string, host: string) => ({ name: nameOf(id), instance: readyInstance(id, { host }) });
const scope = [observe('one', '10.0.0.1'), observe('two', '10.0.0.2'), observe('three', '10.0.0.3')];

/** The plan's writes in order, a port change as `phase action Service/name +added -removed`. */
function steps(result: Plan): string[] {
  return result.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) =>
      isPortChange(c)
        ? `${c.phase} ${c.action} Service/${c.ref.name} +${c.add.map((p) => p.port).join(',')} -${c.remove.map((p) => p.port).join(',')}`
        : `${c.action} ${c.ref.kind}/${c.ref.name}`,
    );
}

describe('ports given before the range had blocks', () => {
  test('a port of a later block moves to its Service: added there first, routes moved, then removed from the old', () => {
    const before = apply(emptyWorld(), plan(emptyWorld(), scope, ONE_SERVICE));
    expect(before.ourPorts.map((p) => p.port)).toEqual([16000, 16001, 16002]);
    // Planned in name order: `two` is third, on 16002.
    const two = objectName(nameOf('two'));
    const result = plan(before, scope, BLOCKS_OF_TWO);
    expect(steps(result)).toEqual([
      'make update Service/istio-egressgateway-ports-16002 +16002 -',
      `update DestinationRule/${two}`,
      `update VirtualService/${two}`,
      'break update Service/istio-egressgateway + -16002',
    ]);
    const route = result.changes.find((c) => c.ref.kind === 'VirtualService' && c.action === 'update');
    expect(JSON.stringify(route && !isPortChange(route) ? route.after : undefined)).toContain(
      'istio-egressgateway-ports-16002.istio-system.svc.cluster.local',
    );
    // A Service of ours is written whole: its labels (with whether its block is full) and the egress gateway's pods.
    const make = result.changes.find((c) => isPortChange(c) && c.phase === 'make');
    expect(make && isPortChange(make) ? make.own : undefined).toEqual({
      labels: {
        'app.kubernetes.io/managed-by': 'memorystore-egress-sync',
        'memorystore-egress-sync/owner': 'default',
        'memorystore-egress-sync/ports-full': 'false',
      },
      selector: { istio: 'egressgateway' },
    });
  });
});
