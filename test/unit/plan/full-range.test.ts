import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { parseGatewayServerName, roleCode, servicePortNameOfCode } from '../../../shared/render/port-names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, planScoped, type World } from '../../fixtures/plan-harness.js';
import { isPortChange, type Plan } from '../../../shared/plan/plan-types.js';
import { applyBodyOf } from '../../../shared/plan/port-change.js';
import type { ServicePort } from '../../../shared/plan/service-ports.js';

// A range of two gateway ports, filled by two instances: any new need that does not fit must be refused for that
// instance alone, and no port may ever serve two instances.
const SMALL = { GATEWAY_PORT_RANGE: '16000-16001' };
const READ = { readEndpoint: '10.0.0.4', readEndpointPort: 6379 };
const observe = (id: string, fields = {}) => ({ name: nameOf(id), instance: readyInstance(id, fields) });
const event = (world: World, id: string, fields = {}): Plan => planScoped(world, [observe(id, fields)], SMALL);

/**
 * Each gateway port a Gateway of ours listens on, with the instances that route through it: a port must be listed
 * once, and be on the Service under the name of the instance whose Gateway uses it (else the Service forwards it to
 * nothing, or another instance's Service port is the one the sidecars reach).
 */
function crossRouted(world: World): string[] {
  const users = new Map<number, string[]>();
  const problems: string[] = [];
  for (const gateway of objectsOf(world, 'Gateway')) {
    const owner = parseInstanceName(instanceNameOf(gateway) ?? '')!;
    for (const server of gateway.spec['servers'] as Array<{ port: { number: number; name: string } }>) {
      const { number, name } = server.port;
      users.set(number, [...(users.get(number) ?? []), owner.id]);
      const expected = servicePortNameOfCode(owner, roleCode(parseGatewayServerName(name)!));
      const onService = world.ourPorts.find((p) => p.port === number)?.name;
      if (onService !== expected)
        problems.push(`${owner.id}'s port ${number} is ${onService ?? 'absent'} on the Service`);
    }
  }
  for (const [port, ids] of users) if (ids.length > 1) problems.push(`port ${port} is routed by ${ids.join(' and ')}`);
  return problems;
}

const refusals = (result: Plan): string[] =>
  result.changes.filter((c) => c.ref.kind === 'Instance' && c.action === 'skipped').map((c) => c.instance ?? '');

function filled(): World {
  const a = apply(emptyWorld(), event(emptyWorld(), 'cache-a'));
  return apply(a, event(a, 'cache-b'));
}

describe('a full gateway port range', () => {
  test('an instance that gains a read endpoint keeps its port and its routes; the refusal is recorded', () => {
    const world = filled();
    const gained = event(world, 'cache-a', READ);
    expect(gained.errors).toEqual([expect.objectContaining({ instance: nameOf('cache-a').full, retryable: false })]);
    expect(gained.errors[0]!.message).toMatch(/GATEWAY_PORT_RANGE 16000-16001/);
    expect(refusals(gained)).toEqual([nameOf('cache-a').full]);
    const after = apply(world, gained);
    expect(after.ourPorts).toEqual(world.ourPorts);
    expect(after.owned).toEqual(world.owned);
    expect(crossRouted(after)).toEqual([]);
  });

  test('after that refusal, events and resyncs for other instances never hand out its port', () => {
    let world = apply(filled(), event(filled(), 'cache-a', READ));
    world = apply(world, event(world, 'cache-c'));
    expect(crossRouted(world)).toEqual([]);
    world = apply(world, plan(world, [observe('cache-a', READ), observe('cache-b'), observe('cache-c')], SMALL));
    expect(crossRouted(world)).toEqual([]);
    world = apply(world, event(world, 'cache-c'));
    expect(crossRouted(world)).toEqual([]);
    expect(objectsOf(world, 'Gateway').map((g) => instanceNameOf(g))).toEqual([
      nameOf('cache-a').full,
      nameOf('cache-b').full,
    ]);
  });

  test('a new instance that does not fit gets nothing written and one record', () => {
    const world = filled();
    const result = event(world, 'cache-c');
    expect(result.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.ref.kind}`)).toEqual([
      'skipped Instance',
    ]);
    expect(result.errors.map((e) => e.instance)).toEqual([nameOf('cache-c').full]);
  });

  test('ports an instance could not fill all of its needs with go to an instance that fits', () => {
    // One port left: cache-c (primary and read) cannot have both, so cache-d (primary only) gets it.
    const one = { GATEWAY_PORT_RANGE: '16000-16002' };
    const start = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-a'), observe('cache-b')], one));
    const result = plan(
      start,
      [observe('cache-a'), observe('cache-b'), observe('cache-c', READ), observe('cache-d')],
      one,
    );
    expect(result.errors.map((e) => e.instance)).toEqual([nameOf('cache-c').full]);
    const after = apply(start, result);
    expect(crossRouted(after)).toEqual([]);
    expect(after.ourPorts.map((p) => p.port).sort()).toEqual([16000, 16001, 16002]);
    expect(objectsOf(after, 'Gateway').some((g) => instanceNameOf(g) === nameOf('cache-d').full)).toBe(true);
  });

  test('a resync repairs a port that an earlier allocator left to two instances, never naming two ports alike', () => {
    // As the earlier allocator left it: cache-a's port dropped from the Service while its Gateway stayed, then given
    // to cache-c by an event.
    const start = filled();
    const dropped = { ...start, ourPorts: start.ourPorts.filter((p) => p.port !== 16000) };
    const broken = apply(dropped, event(dropped, 'cache-c'));
    expect(crossRouted(broken)).toContain('port 16000 is routed by cache-a and cache-c');
    const wider = { GATEWAY_PORT_RANGE: '16000-16002' };
    const result = plan(broken, [observe('cache-a'), observe('cache-b'), observe('cache-c')], wider);
    for (const change of result.changes.filter(isPortChange)) {
      const names = (applyBodyOf(change, undefined).spec['ports'] as ServicePort[]).map((p) => p.name);
      expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    }
    expect(crossRouted(apply(broken, result))).toEqual([]);
  });

  test('a port in quarantine is not a free port: the refused instance is placed whole once the period is over', () => {
    const three = { GATEWAY_PORT_RANGE: '16000-16002' };
    const at = (seconds: number) => ({
      quarantine: { now: new Date(Date.UTC(2026, 11, 7, 2, 0, seconds)), seconds: 300 },
    });
    const all = ['cache-a', 'cache-b', 'cache-c'].map((id) => observe(id));
    let world = apply(emptyWorld(), plan(emptyWorld(), all, three, at(0)));
    world = apply(
      world,
      plan(world, [observe('cache-a'), observe('cache-b'), { name: nameOf('cache-c') }], three, at(1)),
    );
    const refused = plan(world, [observe('cache-a', READ), observe('cache-b')], three, at(60));
    expect(refused.errors.map((e) => e.instance)).toEqual([nameOf('cache-a').full]);
    world = apply(world, refused);
    expect(crossRouted(world)).toEqual([]);
    expect(world.ourPorts.find((p) => p.port === 16002)?.name).toMatch(/^tcp-freed-/);
    // The plan that ends the period removes the port (a Service holds a number once, so it cannot be given out in
    // the same apply); the next one places the instance whole.
    world = apply(world, plan(world, [observe('cache-a', READ), observe('cache-b')], three, at(302)));
    expect(world.ourPorts.map((p) => p.port).sort()).toEqual([16000, 16001]);
    const placed = plan(world, [observe('cache-a', READ), observe('cache-b')], three, at(303));
    expect(placed.errors).toEqual([]);
    world = apply(world, placed);
    expect(crossRouted(world)).toEqual([]);
    expect(world.ourPorts.map((p) => p.port).sort()).toEqual([16000, 16001, 16002]);
  });
});
