import { formatPlan } from '../../../shared/cli/format-diff.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
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

  test('nothing to change says so', () => {
    expect(formatPlan([])).toMatch(/Nothing to change/);
  });
});
