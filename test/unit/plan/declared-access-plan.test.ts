import { objectName } from '../../../shared/render/names.js';
import type { InstanceAccess } from '../../../shared/model/access.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes } from '../../fixtures/plan-harness.js';

/** Planning in ACCESS_MODE=declared: the access map (filled from declarations) shapes each instance's objects. */
const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });
const gone = (id: string) => ({ name: nameOf(id) });
const DECLARED = { ACCESS_MODE: 'declared' };
const orders: InstanceAccess = { namespaces: ['orders'], principals: [], declaredBy: ['orders/caches'] };
const exportsOf = (objects: ReturnType<typeof objectsOf>) => objects.map((o) => o.spec['exportTo']);

test('an instance in the map gets its access; one missing from it gets no access (gateway only, deny all)', () => {
  const access = new Map([[nameOf('cache-1').full, orders]]);
  const world = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1'), observe('cache-2')], DECLARED, { access }));
  expect(exportsOf(objectsOf(world, 'ServiceEntry'))).toEqual([['istio-system', 'orders'], ['istio-system']]);
  const policies = objectsOf(world, 'AuthorizationPolicy');
  expect(policies.map((p) => p.metadata.name)).toEqual([objectName(nameOf('cache-1')), objectName(nameOf('cache-2'))]);
  expect(policies.map((p) => (p.spec['rules'] as Array<{ from?: unknown }>)[0]!.from)).toEqual([
    [{ source: { notNamespaces: ['orders'] } }],
    undefined,
  ]);
});

test('the policy is created after the routes and deleted before them', () => {
  const access = new Map([[nameOf('cache-1').full, orders]]);
  const first = plan(emptyWorld(), [observe('cache-1')], DECLARED, { access });
  const name = objectName(nameOf('cache-1'));
  expect(writes(first).slice(-2)).toEqual([`create VirtualService/${name}`, `create AuthorizationPolicy/${name}`]);
  const removal = plan(apply(emptyWorld(), first), [gone('cache-1')], DECLARED, { access });
  expect(
    writes(removal)
      .filter((w) => w.startsWith('delete'))
      .slice(0, 2),
  ).toEqual([`delete AuthorizationPolicy/${name}`, `delete VirtualService/${name}`]);
});

test('a declaration removed: the routes narrow to the gateway and the policy denies everyone, in one plan', () => {
  const access = new Map([[nameOf('cache-1').full, orders]]);
  const world = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], DECLARED, { access }));
  const revoked = plan(world, [observe('cache-1')], DECLARED, { access: new Map() });
  const name = objectName(nameOf('cache-1'));
  expect(writes(revoked)).toEqual([
    `update ServiceEntry/${name}`,
    `update VirtualService/${name}`,
    `update AuthorizationPolicy/${name}`,
  ]);
});

test('back to open mode (no map): the policy is pruned and the routes are exported as configured', () => {
  const access = new Map([[nameOf('cache-1').full, orders]]);
  const world = apply(emptyWorld(), plan(emptyWorld(), [observe('cache-1')], DECLARED, { access }));
  const reopened = apply(world, plan(world, [observe('cache-1')]));
  expect(objectsOf(reopened, 'AuthorizationPolicy')).toEqual([]);
  expect(exportsOf(objectsOf(reopened, 'ServiceEntry'))).toEqual([['*']]);
});
