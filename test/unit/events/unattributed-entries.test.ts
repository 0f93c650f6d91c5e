import { parseAuditEvent } from '../../../shared/events/parse-audit-event.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';

/**
 * Audit entries need not name the instance: `request` may be trimmed (the AuditLog docs say large requests are cut
 * down) and the last entry of a long-running operation may carry little more than its `@type`.
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 */
const CLUSTER_METHOD = 'google.cloud.redis.cluster.v1.CloudRedisCluster.UpdateCluster';
const OPERATION = 'projects/test-project/locations/europe-west1/operations/operation-1700000000000-5f0e1d2c3b4a5';

describe('an entry that names a product and a location but no instance reconciles that product there', () => {
  test.each([
    ['a collection resourceName', { resourceName: 'projects/test-project/locations/us-central1/instances' }],
    ['a parent resourceName with a trimmed request', { resourceName: 'projects/test-project/locations/us-central1' }],
    [
      'only the operation name, on a last entry with no resourceName',
      { resourceName: '', operationId: 'projects/test-project/locations/us-central1/operations/operation-1' },
    ],
  ])('%s', (_, fields) => {
    const event = pubsubEvent(logEntry({ method: 'UpdateInstance', resource: null, ...fields }));
    expect(parseAuditEvent(event)).toMatchObject({
      action: 'reconcile-location',
      location: { product: 'redis', project: 'test-project', location: 'us-central1' },
      trigger: { kind: 'event', methodName: 'google.cloud.redis.v1.CloudRedis.UpdateInstance' },
    });
  });

  test("a Redis Cluster entry naming only its operation: the cluster product, in the operation's region", () => {
    const entry = logEntry({ methodName: CLUSTER_METHOD, resourceName: '', operationId: OPERATION, resource: null });
    expect(parseAuditEvent(pubsubEvent(entry))).toMatchObject({
      action: 'reconcile-location',
      location: { product: 'redis-cluster', project: 'test-project', location: 'europe-west1' },
    });
  });

  test('the monitored resource names the instance: that instance, not its whole location', () => {
    const entry = logEntry({
      methodName: CLUSTER_METHOD,
      resourceName: '',
      operationId: OPERATION,
      resource: {
        type: 'redis.googleapis.com/Cluster',
        labels: { resource_container: 'test-project', location: 'europe-west1', cluster_id: 'rc-1' },
      },
    });
    expect(parseAuditEvent(pubsubEvent(entry))).toMatchObject({
      action: 'reconcile',
      instance: { full: '//redis.googleapis.com/projects/test-project/locations/europe-west1/clusters/rc-1' },
    });
  });

  test('a full resource name (//service/...) names the instance as a relative one does', () => {
    const entry = logEntry({
      resourceName: '//redis.googleapis.com/projects/test-project/locations/us-central1/instances/cache-1',
    });
    expect(parseAuditEvent(pubsubEvent(entry))).toMatchObject({
      action: 'reconcile',
      instance: { full: 'projects/test-project/locations/us-central1/instances/cache-1' },
    });
  });

  test("a Redis Cluster method naming a Redis instance's path and resource: no instance, the clusters there", () => {
    const entry = logEntry({ methodName: 'google.cloud.redis.cluster.v1.CloudRedisCluster.CreateCluster' });
    expect(parseAuditEvent(pubsubEvent(entry))).toMatchObject({
      action: 'reconcile-location',
      location: { product: 'redis-cluster', project: 'test-project', location: 'us-central1' },
    });
  });

  test('an entry naming no instance and no location is acknowledged with the reason', () => {
    const entry = logEntry({ resourceName: '', resource: null, operationId: 'operations/op-1' });
    expect(parseAuditEvent(pubsubEvent(entry))).toEqual({
      action: 'ignore',
      reason: expect.stringMatching(/names no instance and no location/),
    });
  });
});

describe('v1alpha1 methods (listed on the Redis audit-logging page beside v1 and v1beta1)', () => {
  test.each([
    [
      'google.cloud.redis.v1alpha1.CloudRedis.UpdateInstance',
      'projects/test-project/locations/us-central1/instances/cache-1',
    ],
    [
      'google.cloud.redis.cluster.v1alpha1.CloudRedisCluster.UpdateCluster',
      '//redis.googleapis.com/projects/test-project/locations/us-central1/clusters/rc-1',
    ],
  ])('%s is acted on', (methodName, full) => {
    const resourceName = full.replace('//redis.googleapis.com/', '');
    expect(parseAuditEvent(pubsubEvent(logEntry({ methodName, resourceName })))).toMatchObject({
      action: 'reconcile',
      instance: { full },
    });
  });
});
