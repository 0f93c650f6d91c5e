import fc from 'fast-check';
import type { AccessDeclaration } from '../../../shared/model/access.js';
import { resolveAccess, servedNamespaces } from '../../../shared/plan/resolve-access.js';
import { readyInstance, valkeyName, activeValkey } from '../../fixtures/instances.js';

const cache = readyInstance('cache', { labels: { team: 'payments' } });
const other = readyInstance('other', { labels: { team: 'search' } });
const valkey = activeValkey('vk');
const instances = [cache, other, valkey];
const scope = { trustDomain: 'cluster.local' };

const declaration = (namespace: string, name: string, fields: Partial<AccessDeclaration>): AccessDeclaration => ({
  namespace,
  name,
  instances: [],
  selector: [],
  serviceAccounts: [],
  ...fields,
});

describe('resolveAccess', () => {
  test('a declaration without service accounts grants its whole namespace; with them, each as a principal', () => {
    const { access, unmatched } = resolveAccess(
      [
        declaration('shop', 'cache', { instances: [cache.name] }),
        declaration('billing', 'cache', { instances: [cache.name, valkey.name], serviceAccounts: ['api', 'worker'] }),
      ],
      instances,
      scope,
    );
    expect(access.get(cache.name)).toEqual({
      namespaces: ['shop'],
      principals: ['cluster.local/ns/billing/sa/api', 'cluster.local/ns/billing/sa/worker'],
      declaredBy: ['billing/cache', 'shop/cache'],
    });
    expect(access.get(valkeyName('vk').full)).toEqual({
      namespaces: [],
      principals: ['cluster.local/ns/billing/sa/api', 'cluster.local/ns/billing/sa/worker'],
      declaredBy: ['billing/cache'],
    });
    expect(access.has(other.name)).toBe(false);
    expect(unmatched).toEqual([]);
  });

  test('a selector names the instances whose Memorystore labels match', () => {
    const { access } = resolveAccess(
      [declaration('pay', 'by-team', { selector: [{ key: 'team', op: 'equals', value: 'payments' }] })],
      instances,
      { trustDomain: 'example.org' },
    );
    expect([...access.keys()]).toEqual([cache.name]);
    expect(access.get(cache.name)!.namespaces).toEqual(['pay']);
  });

  test('a declaration that names nothing real is reported, once per missing part', () => {
    const { unmatched, access } = resolveAccess(
      [
        declaration('shop', 'typo', { instances: ['projects/test-project/locations/us-central1/instances/cahce'] }),
        declaration('shop', 'nobody', { selector: [{ key: 'team', op: 'equals', value: 'nobody' }] }),
      ],
      instances,
      scope,
    );
    expect(access.size).toBe(0);
    expect(unmatched).toEqual([
      {
        declaration: 'shop/typo',
        reason:
          'it names projects/test-project/locations/us-central1/instances/cahce, which is not among the synced instances',
      },
      { declaration: 'shop/nobody', reason: 'its selector matches no instance' },
    ]);
  });

  test('declarations outside the served namespaces are ignored, not granted', () => {
    const served = servedNamespaces(['shop', '.'], 'istio-system');
    expect(served).toEqual(new Set(['shop', 'istio-system']));
    const { access, ignored } = resolveAccess(
      [
        declaration('shop', 'a', { instances: [cache.name] }),
        declaration('elsewhere', 'b', { instances: [other.name] }),
      ],
      instances,
      { ...scope, servedNamespaces: served! },
    );
    expect([...access.keys()]).toEqual([cache.name]);
    expect(ignored).toEqual(['elsewhere/b']);
    expect(servedNamespaces(['*'], 'istio-system')).toBeUndefined();
  });
});

describe('resolveAccess, on generated declarations', () => {
  const namespace = fc.constantFrom('a', 'b', 'c');
  const generated = fc.array(
    fc.record({
      namespace,
      name: fc.constantFrom('x', 'y', 'z'),
      instances: fc.subarray(instances.map((i) => i.name)),
      selector: fc.constantFrom([], [{ key: 'team', op: 'equals' as const, value: 'payments' }]),
      serviceAccounts: fc.subarray(['sa1', 'sa2']),
    }),
    { maxLength: 8 },
  );

  test('every principal and namespace granted comes from a declaration of that namespace naming the instance', () => {
    fc.assert(
      fc.property(generated, (declarations) => {
        const { access } = resolveAccess(declarations, instances, scope);
        for (const [name, granted] of access) {
          const naming = declarations.filter(
            (d) =>
              d.instances.includes(name) ||
              (d.selector.length > 0 && instances.some((i) => i.name === name && i.labels?.['team'] === 'payments')),
          );
          for (const ns of granted.namespaces)
            expect(naming.some((d) => d.namespace === ns && d.serviceAccounts.length === 0)).toBe(true);
          for (const p of granted.principals)
            expect(
              naming.some((d) => d.serviceAccounts.some((sa) => p === `cluster.local/ns/${d.namespace}/sa/${sa}`)),
            ).toBe(true);
        }
      }),
    );
  });

  test('removing a declaration never widens anyone’s access', () => {
    fc.assert(
      fc.property(generated, fc.nat(), (declarations, pick) => {
        fc.pre(declarations.length > 0);
        const before = resolveAccess(declarations, instances, scope).access;
        const removed = declarations.filter((_, i) => i !== pick % declarations.length);
        const after = resolveAccess(removed, instances, scope).access;
        for (const [name, granted] of after) {
          const had = before.get(name);
          expect(had).toBeDefined();
          for (const ns of granted.namespaces) expect(had!.namespaces).toContain(ns);
          for (const p of granted.principals) expect(had!.principals).toContain(p);
        }
      }),
    );
  });
});
