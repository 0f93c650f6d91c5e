import { instanceNameOf, refKey, refOf, type KubeObject } from '../../../shared/model/k8s-object.js';
import { planWithClashes, wantedState } from '../../../shared/plan/plan-with-clashes.js';
import type { SyncInput } from '../../../shared/plan/desired-state.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { emptyWorld, serviceState } from '../../fixtures/plan-harness.js';

// A reconcile reads everything planning needs before it plans: the names the scope would take are known from the
// input alone (its wanted state), the foreign objects holding them are read, and planning then runs on data, with no
// cluster to ask.
const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });
const input: SyncInput = {
  scope: [observe('cache-1'), observe('cache-2')],
  owned: [],
  gatewayService: serviceState(emptyWorld()),
  settings: testPlanSettings(),
};
const holderOf = (wanted: KubeObject): KubeObject => ({
  ...wanted,
  metadata: { name: wanted.metadata.name, namespace: wanted.metadata.namespace, labels: { team: 'platform' } },
});

const of = (id: string) => (o: { instance?: string | undefined }) => o.instance === nameOf(id).full;
const wantedOf = (id: string): KubeObject[] =>
  wantedState(input).state.desired.filter((o) => instanceNameOf(o) === nameOf(id).full);

describe('planning with the foreign holders of wanted names', () => {
  test('the names to look up come from the input alone: every object of every instance in scope', () => {
    for (const id of ['cache-1', 'cache-2'])
      expect(
        wantedOf(id)
          .map((o) => o.kind)
          .sort(),
      ).toEqual(['DestinationRule', 'Gateway', 'ServiceEntry', 'VirtualService']);
  });

  test('a holder read for one wanted name blocks its instance alone, from data: the same input gives the same plan', () => {
    const entry = wantedOf('cache-1').find((o) => o.kind === 'ServiceEntry')!;
    const foreign = new Map([[refKey(refOf(entry)), holderOf(entry)]]);
    const result = planWithClashes(wantedState(input), foreign);
    const writes = (id: string): string[] =>
      result.changes.filter((c) => c.target === 'object' && of(id)(c)).map((c) => `${c.action} ${c.ref.kind}`);
    expect(writes('cache-1')).toEqual(['conflict ServiceEntry']);
    expect(writes('cache-2').sort()).toEqual([
      'create DestinationRule',
      'create Gateway',
      'create ServiceEntry',
      'create VirtualService',
    ]);
    expect(planWithClashes(wantedState(input), foreign)).toEqual(result);
  });
});
