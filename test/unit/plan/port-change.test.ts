import jsonPatch from 'fast-json-patch';
import { recordOf } from '../../../shared/audit/audit-record.js';
import {
  applyBodyOf,
  serviceObjectsOf,
  servicePortChanges,
  type ServicePortsChange,
} from '../../../shared/plan/port-change.js';
import { gatewayServicePort } from '../../../shared/plan/service-ports.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { isPortChange, type ObjectChange, type Plan } from '../../../shared/plan/plan-types.js';
import { quarantinedPortName } from '../../../shared/render/port-names.js';
import { objectName } from '../../../shared/render/names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan, planScoped, writes, type World } from '../../fixtures/plan-harness.js';

// Our ports on the egress gateway Service are a kind of change of their own: ports to add (before the Gateways use
// them) and ports to remove (after the Gateways that used them are gone), each attributed to the instances the ports
// belong to, by the instance key in the ports' names.
const observe = (id: string, fields = {}) => ({ name: nameOf(id), instance: readyInstance(id, fields) });
const gone = (id: string) => ({ name: nameOf(id) });
const portUpdates = (result: Plan): ServicePortsChange[] =>
  result.changes.filter(isPortChange).filter((c) => c.action === 'update');
const numbers = (ports: readonly { port: number }[]): number[] => ports.map((p) => p.port);
const created = (...ids: string[]): World =>
  apply(
    emptyWorld(),
    plan(
      emptyWorld(),
      ids.map((id) => observe(id)),
    ),
  );

describe('a change of our ports on the egress gateway Service', () => {
  test('an instance created: one make change adding its port, attributed to it', () => {
    const [change, ...rest] = portUpdates(planScoped(emptyWorld(), [observe('cache-1')]));
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      phase: 'make',
      base: [],
      remove: [],
      instance: nameOf('cache-1').full,
      owners: [nameOf('cache-1').full],
      unowned: 0,
      reason: 'gateway ports added',
    });
    expect(numbers(change!.add)).toEqual([16000]);
  });

  test('several instances at once: one apply, so one change, naming every instance in its reason and none alone', () => {
    const [change, ...rest] = portUpdates(plan(emptyWorld(), [observe('cache-1'), observe('cache-2')]));
    expect(rest).toEqual([]);
    const both = [nameOf('cache-1').full, nameOf('cache-2').full].sort();
    expect(change!.owners).toEqual(both);
    expect(change!.instance).toBeUndefined();
    expect(change!.reason).toBe(`gateway ports added for 2 instances: ${both.join(', ')}`);
  });

  test('a resync giving many instances their ports names the first 20 in its reason and counts the rest', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `cache-${String(i).padStart(2, '0')}`);
    const [change] = portUpdates(
      plan(
        emptyWorld(),
        ids.map((id) => observe(id)),
      ),
    );
    const names = ids.map((id) => nameOf(id).full).sort();
    expect(change!.owners).toEqual(names);
    expect(change!.reason).toBe(`gateway ports added for 25 instances: ${names.slice(0, 20).join(', ')}, and 5 more`);
  });

  test('a deletion renames its port into quarantine in the break phase, attributed to the deleted instance', () => {
    const world = created('cache-1');
    const now = new Date(Date.UTC(2026, 10, 25, 10, 1));
    const [change, ...rest] = portUpdates(plan(world, [gone('cache-1')], {}, { quarantine: { now, seconds: 300 } }));
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      phase: 'break',
      instance: nameOf('cache-1').full,
      owners: [nameOf('cache-1').full],
      unowned: 0,
      reason: 'gateway ports freed',
    });
    expect(change!.remove).toEqual(world.ourPorts);
    expect(change!.add).toEqual([{ ...world.ourPorts[0]!, name: quarantinedPortName(16000, now) }]);
  });

  test('adding and freeing in one plan: the make change before the Gateways, the break change after their deletion, based on what the make change leaves', () => {
    const world = created('old');
    const result = plan(world, [gone('old'), observe('new')]);
    expect(writes(result).filter((w) => /Gateway|Service$/.test(w))).toEqual([
      'update Service',
      `create Gateway/${objectName(nameOf('new'))}`,
      `delete Gateway/${objectName(nameOf('old'))}`,
      'update Service',
    ]);
    const [make, free] = portUpdates(result);
    expect(make).toMatchObject({ phase: 'make', instance: nameOf('new').full });
    expect(free).toMatchObject({ phase: 'break', instance: nameOf('old').full });
    expect(free!.base).toEqual([...make!.base, ...make!.add]);
    // No quarantine here: the old port goes at once.
    expect(numbers(applyBodyOf(free!, undefined).spec['ports'] as { port: number }[])).toEqual([16001]);
  });

  test('a stray port of ours (no live object names its instance) is freed as of no live instance', () => {
    const world = {
      ...emptyWorld(),
      ourPorts: [{ name: 'tcp-vanished-0123456789-p', port: 16000, targetPort: 16000, protocol: 'TCP' }],
    };
    const free = portUpdates(plan(world, [])).find((c) => c.phase === 'break');
    expect(free).toMatchObject({
      owners: [],
      unowned: 1,
      reason: 'gateway ports freed; 1 of no live instance (a stray, or out of quarantine)',
    });
    expect(free!.instance).toBeUndefined();
  });

  test('an apply carries the version it is given and lists every port of ours after the change', () => {
    const world = created('cache-1', 'cache-2');
    const [change] = portUpdates(plan(world, [observe('cache-3')]));
    const body = applyBodyOf(change!, '42');
    expect(body.metadata).toEqual({ name: 'istio-egressgateway', namespace: 'istio-system', resourceVersion: '42' });
    expect(numbers(body.spec['ports'] as { port: number }[])).toEqual([16000, 16001, 16002]);
  });

  test('its audit record: the Service as the object, the JSON Patch of our ports, the instance the ports belong to', () => {
    const world = created('cache-1');
    const [change] = portUpdates(plan(world, [observe('cache-2')]));
    const record = recordOf(change!, {
      id: 'r',
      time: new Date(0),
      trigger: { kind: 'resync', principal: 'op@example.com', scheduled: false },
      dryRun: true,
      instances: new Map([[nameOf('cache-2').full, readyInstance('cache-2')]]),
    });
    const { before, after } = serviceObjectsOf(change!);
    expect(record).toMatchObject({
      object: { api_version: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-egressgateway' },
      action: 'update',
      reason: 'gateway ports added',
    });
    expect(record.instance).toEqual({ name: nameOf('cache-2').full, host: '10.0.0.3', port: 6379 });
    expect(record.patch).toEqual([{ op: 'add', path: '/spec/ports/1', value: change!.add[0] }]);
    expect(
      jsonPatch.applyPatch(jsonPatch.deepClone(before), record.patch as jsonPatch.Operation[]).newDocument,
    ).toEqual(after);
  });

  test("a port number that passes from one instance's name to another's is attributed to both", () => {
    const [a, b] = [nameOf('cache-a'), nameOf('cache-b')];
    const owned = renderDirect(a, [{ role: 'primary', address: '10.0.0.3', port: 6379 }], testPlanSettings());
    const service = { namespace: 'istio-system', name: 'istio-egressgateway' };
    const after = gatewayServicePort(b, 'primary', 16001);
    const [change] = servicePortChanges({
      service,
      before: [gatewayServicePort(a, 'read', 16001)],
      after: [after],
      owners: [{ instance: b.full, port: after }],
      owned,
    });
    expect(change).toMatchObject({ phase: 'break', owners: [a.full, b.full].sort(), unowned: 0 });
    expect(change!.instance).toBeUndefined();
  });
});

describe('a change is tagged with what it changes', () => {
  test('a plan of an instance created holds object changes and port changes, each told apart by its tag alone', () => {
    const { changes } = planScoped(emptyWorld(), [observe('cache-1')]);
    const tags = new Set(changes.map((c) => c.target));
    expect(tags).toEqual(new Set(['object', 'service-ports']));
    for (const change of changes) {
      if (change.target === 'service-ports') expect(numbers(change.add)).toEqual([16000]);
      else expect(change.after?.metadata.name).toBe(change.ref.name);
    }
  });

  test('the tag narrows: an object change has no phase, a port change no whole object', () => {
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: 'n', name: 'x' };
    // @ts-expect-error an object change carries no phase of the port changes
    const object: ObjectChange = { target: 'object', action: 'delete', ref, phase: 'break' };
    const added = portUpdates(planScoped(emptyWorld(), [observe('cache-1')]))[0]!;
    // @ts-expect-error a port change carries no object before it
    const ports: ServicePortsChange = { ...added, before: undefined };
    expect([object.target, ports.target]).toEqual(['object', 'service-ports']);
  });
});
