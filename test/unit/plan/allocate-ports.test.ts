import { allocatePorts, allocationKey, type Allocation } from '../../../shared/plan/allocate-ports.js';
import { nameOf } from '../../fixtures/instances.js';

const range = { from: 100, to: 104 };
const req = (id: string, role: 'primary' | 'read' = 'primary') => ({ instance: nameOf(id), role });
/** Allocations as `id#code: port`, the way the cases below write them. */
const byEndpoint = (allocations: ReadonlyMap<string, Allocation>): Record<string, number> =>
  Object.fromEntries([...allocations.values()].map((a) => [`${a.instance.id}#${a.code}`, a.port]));
const liveOf = (live: Record<string, number>): Map<string, Allocation> =>
  new Map(
    Object.entries(live).map(([endpoint, port]) => {
      const [id = '', code = ''] = endpoint.split('#');
      const instance = nameOf(id);
      return [allocationKey(instance, code === 'r' ? 'read' : 'primary'), { instance, code, port }];
    }),
  );

describe('allocatePorts', () => {
  test.each([
    ['new endpoints take the lowest free ports', [req('a'), req('b')], {}, [], { 'a#p': 100, 'b#p': 101 }],
    ['a live allocation is kept', [req('a')], { 'a#p': 103 }, [], { 'a#p': 103 }],
    ['reserved ports are skipped', [req('a')], {}, [100, 101], { 'a#p': 102 }],
    ['a live port someone else holds is replaced', [req('a')], { 'a#p': 100 }, [100], { 'a#p': 101 }],
    [
      'two live claims on one port: the first keeps it',
      [req('a'), req('b')],
      { 'a#p': 100, 'b#p': 100 },
      [],
      { 'a#p': 100, 'b#p': 101 },
    ],
    ['read endpoints get their own port', [req('a'), req('a', 'read')], {}, [], { 'a#p': 100, 'a#r': 101 }],
  ])('%s', (_title, requests, live, reserved, expected) => {
    const { allocations, exhausted } = allocatePorts(requests, liveOf(live), new Set(reserved), range);
    expect(byEndpoint(allocations)).toEqual(expected);
    expect(exhausted).toEqual([]);
  });

  test('the range runs out: the rest are reported, never given a shared port', () => {
    const requests = ['a', 'b', 'c', 'd', 'e', 'f'].map((i) => req(i));
    const { allocations, exhausted } = allocatePorts(requests, new Map(), new Set(), range);
    expect(new Set([...allocations.values()].map((a) => a.port)).size).toBe(5);
    expect(exhausted).toEqual([req('f')]);
    expect(allocations.get(allocationKey(nameOf('e'), 'primary'))?.port).toBe(104);
  });

  test('an instance whose new endpoints do not all fit gets none of them, and the next instance has the port', () => {
    const requests = [req('a'), req('b'), req('b', 'read'), req('c')];
    const live = liveOf({ 'a#p': 100 });
    const { allocations, exhausted } = allocatePorts(requests, live, new Set([101, 102, 103]), range);
    expect(byEndpoint(allocations)).toEqual({ 'a#p': 100, 'c#p': 104 });
    expect(exhausted).toEqual([req('b'), req('b', 'read')]);
  });
});

describe('allocatePorts with the range in blocks (one Service each)', () => {
  const blocks = { from: 100, to: 105, perService: 2 };
  const run = (requests: ReturnType<typeof req>[], live: Record<string, number> = {}, reserved: number[] = []) => {
    const { allocations, exhausted } = allocatePorts(requests, liveOf(live), new Set(reserved), blocks);
    return { ports: byEndpoint(allocations), exhausted: exhausted.map((r) => `${r.instance.id}#${r.role}`) };
  };

  test("an instance's new ports all go to the first block with room for all of them", () => {
    expect(run([req('a'), req('b'), req('b', 'read')])).toEqual({
      ports: { 'a#p': 100, 'b#p': 102, 'b#r': 103 },
      exhausted: [],
    });
  });

  test('a new endpoint joins its instance in its block, or the instance is refused whole', () => {
    expect(run([req('a'), req('a', 'read')], { 'a#p': 102 })).toEqual({
      ports: { 'a#p': 102, 'a#r': 103 },
      exhausted: [],
    });
    expect(run([req('a'), req('a', 'read')], { 'a#p': 102 }, [103])).toEqual({
      ports: { 'a#p': 102 },
      exhausted: ['a#read'],
    });
    // Another block has room: the refusal says it is the instance's block that is full, not the range.
    expect(
      allocatePorts([req('a'), req('a', 'read')], liveOf({ 'a#p': 102 }), new Set([103]), blocks).inFullBlock,
    ).toEqual(new Set([nameOf('a').full]));
  });

  test('a live port in another block than its instance (given before blocks) moves, and is handed to no one else', () => {
    expect(run([req('a'), req('a', 'read'), req('b')], { 'a#p': 101, 'a#r': 102 })).toEqual({
      ports: { 'a#p': 101, 'a#r': 100, 'b#p': 103 },
      exhausted: [],
    });
  });

  test('the last block may be short, and the blocks run out like the range', () => {
    const short = { from: 100, to: 104, perService: 2 };
    const { allocations, exhausted } = allocatePorts(
      [req('a'), req('a', 'read'), req('b'), req('b', 'read'), req('c'), req('c', 'read'), req('d')],
      new Map(),
      new Set(),
      short,
    );
    expect(byEndpoint(allocations)).toEqual({ 'a#p': 100, 'a#r': 101, 'b#p': 102, 'b#r': 103, 'd#p': 104 });
    expect(exhausted.map((r) => r.instance.id)).toEqual(['c', 'c']);
  });
});
