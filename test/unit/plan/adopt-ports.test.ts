import { applyBodyOf } from '../../../shared/plan/port-change.js';
import { isPortChange, type Plan } from '../../../shared/plan/plan-types.js';
import type { ServicePort } from '../../../shared/plan/service-ports.js';
import { servicePortName } from '../../../shared/render/port-names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, planScoped, type World } from '../../fixtures/plan-harness.js';

// Our ports can outlive their instance's Istio objects (deleted by hand, or a crash between the Service apply and the
// Gateway's create). The Service's own port names say whose they are; a plan that gave the instance another port
// would apply two ports of the same name, which the apiserver refuses (422: duplicate port name).
const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });
const minute = { quarantine: { now: new Date(Date.UTC(2026, 11, 7, 1, 0)), seconds: 60 } };

/** Every Service apply of the plan, as the apiserver would see its port names: each must be unique. */
function duplicateNames(result: Plan): string[] {
  return result.changes.filter(isPortChange).flatMap((change) => {
    const names = (applyBodyOf(change, undefined).spec['ports'] as ServicePort[]).map((p) => p.name);
    return names.filter((name, i) => names.indexOf(name) !== i);
  });
}

function withoutObjects(...ids: string[]): World {
  const world = ids.reduce((w, id) => apply(w, planScoped(w, [observe(id)])), emptyWorld());
  return { ...world, owned: [] };
}

describe('our ports left on the Service without their objects', () => {
  test.each([
    ['a resync', (world: World) => plan(world, [observe('cache-1'), observe('cache-2')], {}, minute)],
    ['an event', (world: World) => planScoped(world, [observe('cache-2')])],
  ])('%s gives the instance back its own port, under its own name', (_title, planOf) => {
    const world = withoutObjects('cache-1', 'cache-2');
    const result = planOf(world);
    expect(duplicateNames(result)).toEqual([]);
    const after = apply(world, result);
    expect(after.ourPorts).toEqual(world.ourPorts);
    const gatewayPorts = objectsOf(after, 'Gateway').flatMap((g) =>
      (g.spec['servers'] as Array<{ port: { number: number } }>).map((s) => s.port.number),
    );
    const cache2 = world.ourPorts.find((p) => p.name === servicePortName(nameOf('cache-2'), 'primary'))!.port;
    expect(gatewayPorts).toContain(cache2);
  });

  test('a resync frees such a port of an instance that is gone', () => {
    const world = withoutObjects('cache-1', 'cache-2');
    const after = apply(world, plan(world, [observe('cache-2')]));
    expect(after.ourPorts.map((p) => p.name)).toEqual([servicePortName(nameOf('cache-2'), 'primary')]);
  });
});
