import { freedAtMs, quarantinedPortName } from '../../../shared/plan/port-quarantine.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan, writes, type World } from '../../fixtures/plan-harness.js';

// A freed gateway port is not handed to another instance while sidecars may still route the deleted instance's
// traffic to it; the quarantine lives on the Service itself, so it survives restarts.
const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });
const gone = (id: string) => ({ name: nameOf(id) });
const at = (minutes: number) => ({ quarantine: { now: new Date(Date.UTC(2026, 10, 25, 10, minutes)), seconds: 300 } });
const ports = (world: World): string[] =>
  world.ourPorts.map((p) => `${p.port} ${p.name.startsWith('tcp-freed-') ? 'freed' : 'live'}`).sort();

function created(...ids: string[]): World {
  return apply(emptyWorld(), plan(emptyWorld(), ids.map(observe), {}, at(0)));
}

describe('port quarantine', () => {
  test('a deletion keeps the port on the Service under a quarantine name, after the Gateway is gone', () => {
    const world = created('cache-1');
    const deletion = plan(world, [gone('cache-1')], {}, at(1));
    const steps = writes(deletion);
    expect(steps.indexOf('update Service')).toBeGreaterThan(steps.findIndex((w) => w.startsWith('delete Gateway/')));
    const after = apply(world, deletion);
    expect(ports(after)).toEqual(['16000 freed']);
    expect(after.owned).toEqual([]);
  });

  test('a port in quarantine is not handed to a new instance', () => {
    const deleted = apply(created('cache-1'), plan(created('cache-1'), [gone('cache-1')], {}, at(1)));
    const next = apply(deleted, plan(deleted, [observe('cache-2')], {}, at(2)));
    expect(ports(next)).toEqual(['16000 freed', '16001 live']);
  });

  test('a port an instance stops using (its read endpoint) is quarantined, not handed to a new instance in the same plan', () => {
    const withReplicas = { readEndpoint: '10.0.0.4', readEndpointPort: 6379 };
    const start = apply(
      emptyWorld(),
      plan(emptyWorld(), [{ name: nameOf('cache-1'), instance: readyInstance('cache-1', withReplicas) }], {}, at(0)),
    );
    expect(ports(start)).toEqual(['16000 live', '16001 live']);
    const next = apply(start, plan(start, [observe('cache-1'), observe('cache-2')], {}, at(1)));
    expect(ports(next)).toEqual(['16000 live', '16001 freed', '16002 live']);
  });

  test('once the period is over the port is removed and can be given out again', () => {
    const deleted = apply(created('cache-1'), plan(created('cache-1'), [gone('cache-1')], {}, at(1)));
    const expired = apply(deleted, plan(deleted, [], {}, at(7)));
    expect(ports(expired)).toEqual([]);
    const next = apply(expired, plan(expired, [observe('cache-2')], {}, at(8)));
    expect(ports(next)).toEqual(['16000 live']);
  });

  test('before the period is over a plan changes nothing', () => {
    const deleted = apply(created('cache-1'), plan(created('cache-1'), [gone('cache-1')], {}, at(1)));
    expect(writes(plan(deleted, [], {}, at(3)))).toEqual([]);
  });

  test('quarantine names carry the minute the port was freed and are never read as an allocation', () => {
    const freedAt = new Date(Date.UTC(2026, 10, 25, 10, 1));
    const name = quarantinedPortName(16000, freedAt);
    expect(name).toMatch(/^tcp-freed-[0-9a-z]+-16000$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(freedAtMs(name)).toBe(freedAt.getTime());
    expect(freedAtMs('tcp-cache-1-2975d0e49e-p')).toBeUndefined();
  });
});
