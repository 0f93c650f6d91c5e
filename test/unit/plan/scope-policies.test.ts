import { outOfScope, pruneGuard, resyncScope } from '../../../shared/plan/scope-policies.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import type { Plan } from '../../../shared/plan/plan-types.js';
import { nameOf, readyInstance, valkeyName } from '../../fixtures/instances.js';
import { testPlanSettings, testSettings } from '../../../dev/fixtures/settings.js';

const config = testSettings().process;
const rendering = testPlanSettings();
const ownedFor = (id: string, location = 'us-central1') =>
  renderDirect(nameOf(id, location), [{ role: 'primary', address: '10.0.0.1', port: 6379 }], rendering);

describe('resyncScope', () => {
  test('listed instances are reconciled; managed ones no longer listed are gone', () => {
    const scope = resyncScope(
      { instances: [readyInstance('a')], unreachable: new Set() },
      [...ownedFor('a'), ...ownedFor('b')],
      config,
    );
    expect(scope.map((o) => [o.name.id, o.instance ? 'present' : 'gone'])).toEqual([
      ['a', 'present'],
      ['b', 'gone'],
    ]);
  });

  test('an unreachable region is never pruned', () => {
    const scope = resyncScope(
      { instances: [], unreachable: new Set(['europe-west1']) },
      ownedFor('eu', 'europe-west1'),
      config,
    );
    expect(scope).toEqual([]);
  });

  test('instances outside the configured locations or project are not pruned', () => {
    const limited = testSettings({ MEMORYSTORE_LOCATIONS: 'us-central1' }).process;
    expect(resyncScope({ instances: [], unreachable: new Set() }, ownedFor('eu', 'europe-west1'), limited)).toEqual([]);
    const other = renderDirect(
      nameOf('x', 'us-central1', 'other-project'),
      [{ role: 'primary', address: '10.0.0.1', port: 6379 }],
      rendering,
    );
    expect(resyncScope({ instances: [], unreachable: new Set() }, other, config)).toEqual([]);
  });
});

describe('pruneGuard', () => {
  const owned = ['a', 'b', 'c', 'd'].flatMap((id) => ownedFor(id));
  const deleting = (ids: string[]): Plan => ({
    changes: ids.map((id) => ({
      target: 'object' as const,
      action: 'delete' as const,
      ref: { apiVersion: 'v1', kind: 'ServiceEntry', namespace: 'n', name: id },
      instance: nameOf(id).full,
    })),
    errors: [],
  });
  test.each([
    [['a'], 0.5, false],
    [['a', 'b'], 0.5, false],
    [['a', 'b', 'c'], 0.5, true],
    [['a', 'b', 'c', 'd'], 1, false],
    [['a'], 0, true],
  ])('deleting %j of 4 with MAX_PRUNE_FRACTION %s: refused = %s', (ids, fraction, refused) => {
    const reason = pruneGuard(fraction)(deleting(ids), owned);
    expect(reason !== undefined).toBe(refused);
    if (refused) expect(reason).toMatch(/MAX_PRUNE_FRACTION.*force=true/);
  });
});

describe('outOfScope', () => {
  test.each([
    [nameOf('a'), undefined, undefined],
    [nameOf('a', 'us-central1', 'elsewhere'), undefined, /MEMORYSTORE_PROJECT/],
    [nameOf('a', 'asia-east1'), 'us-central1,europe-west1', /MEMORYSTORE_LOCATIONS/],
  ])('%o with locations %s', (name, locations, reason) => {
    const result = outOfScope(name, testSettings(locations ? { MEMORYSTORE_LOCATIONS: locations } : {}).process);
    if (reason) expect(result).toMatch(reason);
    else expect(result).toBeUndefined();
  });
});

describe('outOfScope: products', () => {
  test('an instance of a product MEMORYSTORE_PRODUCTS leaves out is not ours', () => {
    expect(outOfScope(valkeyName('v'), testSettings().process)).toMatch(
      /valkey instance, and MEMORYSTORE_PRODUCTS is redis/,
    );
    expect(outOfScope(valkeyName('v'), testSettings({ MEMORYSTORE_PRODUCTS: 'redis,valkey' }).process)).toBeUndefined();
    expect(outOfScope(nameOf('a'), testSettings({ MEMORYSTORE_PRODUCTS: 'memcached' }).process)).toMatch(
      /redis instance/,
    );
  });
});
