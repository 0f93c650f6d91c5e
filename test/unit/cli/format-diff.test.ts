import { formatPlan } from '../../../shared/cli/format-diff.js';
import { activeValkey, nameOf, readyInstance, valkeyName } from '../../fixtures/instances.js';
import { apply, emptyWorld, plan } from '../../fixtures/plan-harness.js';

describe('formatPlan', () => {
  test('a re-address reads as a YAML diff of the changed lines', () => {
    const observe = (host: string) => [{ name: nameOf('cache-1'), instance: readyInstance('cache-1', { host }) }];
    const world = apply(emptyWorld(), plan(emptyWorld(), observe('10.0.0.3')));
    const text = formatPlan(plan(world, observe('10.0.0.9')).changes);
    expect(text).toMatch(/^# update ServiceEntry\/istio-system\/redis-cache-1-/m);
    expect(text).toContain('-    - 10.0.0.3/32');
    expect(text).toContain('+    - 10.0.0.9/32');
    expect(text).not.toMatch(/Gateway\/istio-system/);
  });

  test('a skipped instance is named by its identity, with the reason', () => {
    const sharded = { name: valkeyName('vk-1'), instance: activeValkey('vk-1', { mode: 'CLUSTER' }) };
    const text = formatPlan(plan(emptyWorld(), [sharded]).changes);
    expect(text).toMatch(
      new RegExp(`^# skipped instance ${valkeyName('vk-1').full}: a sharded target \\(cluster mode\\) cannot`, 'm'),
    );
  });

  test('nothing to change says so', () => {
    expect(formatPlan([])).toMatch(/Nothing to change/);
  });
});
