import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { isWrite } from '../../../shared/plan/plan-types.js';
import { apply, emptyWorld, plan, writes } from '../../fixtures/plan-harness.js';

const good = nameOf('good-cache');
const bad = nameOf('bad-cache');
const PORT_REASON = 'primary endpoint 10.0.0.3:70000: port 70000 is not in 1-65535';

describe('an instance whose Memorystore data cannot be declared is that instance’s error alone', () => {
  test('nothing is written for it, one record says why, and the other instance is configured', () => {
    const result = plan(emptyWorld(), [
      { name: good, instance: readyInstance('good-cache', { host: '10.0.0.5' }) },
      { name: bad, instance: readyInstance('bad-cache', { port: 70000 }) },
    ]);
    expect(result.errors).toEqual([{ instance: bad.full, message: PORT_REASON, retryable: false }]);
    expect(writes(result).filter((w) => w.includes('bad-cache'))).toEqual([`skipped Instance/${bad.full}`]);
    expect(result.changes.find((c) => c.instance === bad.full)?.reason).toBe(PORT_REASON);
    expect(writes(result).filter((w) => w.startsWith('create'))).toHaveLength(4);
  });

  test('an instance that routes keeps its objects as they are when its data turns invalid', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [{ name: bad, instance: readyInstance('bad-cache') }]));
    const result = plan(world, [{ name: bad, instance: readyInstance('bad-cache', { port: 70000 }) }]);
    expect(result.changes.filter(isWrite)).toEqual([]);
    const skipped = result.changes.filter((c) => c.action === 'skipped');
    expect(skipped.map((c) => [c.ref.kind, c.reason])).toEqual(world.owned.map((o) => [o.kind, PORT_REASON]));
  });
});
