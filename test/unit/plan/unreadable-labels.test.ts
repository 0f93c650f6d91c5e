import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { serviceEntryName } from '../../../shared/render/names.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes } from '../../fixtures/plan-harness.js';

// @google-cloud/redis-cluster 0.6.1 decodes no labels: a label selector can never select a cluster, and dropping one
// without a word looked like a deletion. It is reported once per cluster instead.
const RELATIVE = 'projects/test-project/locations/us-central1/clusters/ledger';
const rc = parseInstanceName(`//redis.googleapis.com/${RELATIVE}`)!;
const ledger = {
  name: rc,
  instance: toRedisClusterInstance({
    name: RELATIVE,
    state: 'ACTIVE',
    discoveryEndpoints: [{ address: '10.40.0.2', port: 6379 }],
    pscConnections: [{ address: '10.40.0.2' }],
  }),
};
const DIRECT = { SYNC_MODE: 'direct' };
const SELECTOR = { ...DIRECT, INSTANCE_LABEL_SELECTOR: 'team=payments' };

describe('a product whose client reports no labels, under INSTANCE_LABEL_SELECTOR', () => {
  test('a Redis Cluster is reported as not selectable, once, and nothing is written for it', () => {
    const result = plan(emptyWorld(), [ledger], SELECTOR);
    const skipped = result.changes.filter((c) => c.action === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/INSTANCE_LABEL_SELECTOR .*does not report labels/);
    expect(writes(result).filter((w) => !w.startsWith('skipped'))).toEqual([]);
  });

  test('its objects written before the selector was set go, as those of an unselected instance do', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [ledger], DIRECT));
    expect(objectsOf(world, 'ServiceEntry').map((o) => o.metadata.name)).toContain(serviceEntryName(rc, 'discovery'));
    const after = apply(world, plan(world, [ledger], SELECTOR));
    expect(objectsOf(after, 'ServiceEntry')).toEqual([]);
  });

  test('a product that reports labels is still selected by them', () => {
    const payments = { name: nameOf('pay'), instance: readyInstance('pay', { labels: { team: 'payments' } }) };
    const result = plan(emptyWorld(), [payments], SELECTOR);
    expect(result.changes.filter((c) => c.action === 'skipped')).toEqual([]);
    expect(writes(result)).toContain(`create ServiceEntry/${serviceEntryName(payments.name, 'primary')}`);
  });
});
