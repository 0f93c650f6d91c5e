import { serviceEntryName } from '../../../shared/render/names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan, planScoped, writes, type World } from '../../fixtures/plan-harness.js';

// An event reads only its own instance's objects. The other instances' ports on the egress gateway Service are
// then unaccounted for by what was read, and must be kept and never handed out again, not taken for strays.
const observe = (id: string, fields = {}) => ({ name: nameOf(id), instance: readyInstance(id, fields) });
const gone = (id: string) => ({ name: nameOf(id) });
const portsOf = (world: World): number[] => world.ourPorts.map((p) => p.port).sort((a, b) => a - b);

function withInstances(...ids: string[]): World {
  return ids.reduce((world, id) => apply(world, planScoped(world, [observe(id)])), emptyWorld());
}

describe('an event plans against its own instance only', () => {
  test('creating instances one event at a time gives each its own port and keeps the others', () => {
    const world = withInstances('cache-1', 'cache-2', 'cache-3');
    expect(portsOf(world)).toEqual([16000, 16001, 16002]);
    expect(writes(plan(world, [observe('cache-1'), observe('cache-2'), observe('cache-3')]))).toEqual([]);
  });

  test('an event for one instance does not free the ports of instances it did not read', () => {
    const world = withInstances('cache-1', 'cache-2');
    const again = planScoped(world, [observe('cache-2')]);
    expect(writes(again)).toEqual([]);
  });

  test('a deletion event frees only its own port, and a later create does not reuse a port still held', () => {
    const world = withInstances('cache-1', 'cache-2', 'cache-3');
    const afterDelete = apply(world, planScoped(world, [gone('cache-2')]));
    expect(portsOf(afterDelete)).toEqual([16000, 16002]);
    const afterCreate = apply(afterDelete, planScoped(afterDelete, [observe('cache-4')]));
    expect(portsOf(afterCreate)).toEqual([16000, 16001, 16002]);
    expect(afterCreate.owned.some((o) => o.metadata.name === serviceEntryName(nameOf('cache-4'), 'primary'))).toBe(
      true,
    );
  });

  test('the complete view (resync) still frees a stray port of ours that no object accounts for', () => {
    const world = withInstances('cache-1', 'cache-2');
    const stray = { ...world, owned: world.owned.filter((o) => !o.metadata.name.includes('cache-2')) };
    expect(writes(planScoped(stray, [observe('cache-1')]))).toEqual([]);
    expect(writes(plan(stray, [observe('cache-1')]))).toEqual(['update Service']);
  });
});
