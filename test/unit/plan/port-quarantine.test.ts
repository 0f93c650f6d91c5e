import fc from 'fast-check';
import { freedAtMs, quarantinedPortName } from '../../../shared/render/port-names.js';
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

  test('a quarantine is never shorter than its period, whatever second of the minute the port was freed at', () => {
    // Freed at 10:00:52 with a 30 s period: the port is held until 10:01:22, not released at 10:01:00.
    const when = (minute: number, second: number) => ({
      quarantine: { now: new Date(Date.UTC(2026, 10, 25, 10, minute, second)), seconds: 30 },
    });
    const world = created('cache-1');
    const deleted = apply(world, plan(world, [gone('cache-1')], {}, when(0, 52)));
    expect(ports(deleted)).toEqual(['16000 freed']);
    expect(ports(apply(deleted, plan(deleted, [], {}, when(1, 0))))).toEqual(['16000 freed']);
    expect(ports(apply(deleted, plan(deleted, [], {}, when(1, 21))))).toEqual(['16000 freed']);
    expect(ports(apply(deleted, plan(deleted, [], {}, when(1, 22))))).toEqual([]);
  });

  test('a name of the minute format, already on clusters, is read as freed at the end of its minute', () => {
    const minute = Math.floor(Date.UTC(2026, 10, 25, 10, 0) / 60_000);
    expect(freedAtMs(`tcp-freed-${minute.toString(36)}-16000`)).toBe(Date.UTC(2026, 10, 25, 10, 1));
  });

  test('quarantine names round-trip to a time never before the freeing, and fit the names the admission policy allows', () => {
    // The policy's pattern for quarantine names (terraform/kubernetes/admission-policy.yaml.tftpl).
    const allowed = /^tcp-freed-[0-9a-z]{1,12}-[0-9]{1,5}$/;
    const from2020 = Date.UTC(2020, 0, 1);
    const to2200 = Date.UTC(2200, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from2020, max: to2200 }), fc.integer({ min: 1, max: 65535 }), (ms, port) => {
        const name = quarantinedPortName(port, new Date(ms));
        const freed = freedAtMs(name)!;
        return allowed.test(name) && name.length <= 63 && freed >= ms && freed < ms + 1000;
      }),
    );
    expect(freedAtMs('tcp-cache-1-2975d0e49e-p')).toBeUndefined();
  });
});
