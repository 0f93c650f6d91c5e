import { isTooOld, parseAuditEvent, type IncomingEvent } from '../../../shared/events/parse-audit-event.js';
import { auditLogEvent, INSTANCE, logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';

describe('parseAuditEvent: events acted on', () => {
  const cases: Array<[string, IncomingEvent, string]> = [
    ['v1 update, last entry, via Pub/Sub', pubsubEvent(logEntry()), INSTANCE],
    ['v1beta1 delete, last entry', pubsubEvent(logEntry({ version: 'v1beta1', method: 'DeleteInstance' })), INSTANCE],
    ['failover', pubsubEvent(logEntry({ method: 'FailoverInstance' })), INSTANCE],
    ['upgrade', pubsubEvent(logEntry({ method: 'UpgradeInstance' })), INSTANCE],
    ['import', pubsubEvent(logEntry({ method: 'ImportInstance' })), INSTANCE],
    [
      'entry with first and last both set (a short operation)',
      pubsubEvent(logEntry({ operation: { first: true, last: true } })),
      INSTANCE,
    ],
    ['an entry with no operation', pubsubEvent(logEntry({ operation: null })), INSTANCE],
    ['Eventarc audit-log event', auditLogEvent(logEntry({ method: 'CreateInstance' })), INSTANCE],
    ['Eventarc event whose data arrived as a JSON string', auditLogEvent(JSON.stringify(logEntry())), INSTANCE],
    [
      'create naming the parent, id in the request',
      pubsubEvent(
        logEntry({
          method: 'CreateInstance',
          resourceName: 'projects/test-project/locations/us-central1',
          request: { parent: 'projects/test-project/locations/us-central1', instanceId: 'cache-1' },
        }),
      ),
      INSTANCE,
    ],
    [
      'create with the parent only in the request',
      pubsubEvent(
        logEntry({
          method: 'CreateInstance',
          resourceName: '',
          request: { parent: 'projects/test-project/locations/europe-west1', instanceId: 'eu-1' },
        }),
      ),
      'projects/test-project/locations/europe-west1/instances/eu-1',
    ],
  ];

  test.each(cases)('%s', (_title, event, instance) => {
    const decision = parseAuditEvent(event);
    expect(decision).toMatchObject({ action: 'reconcile', instance: { full: instance } });
  });

  test('the trigger carries event id, insertId, method and principal', () => {
    const decision = parseAuditEvent(pubsubEvent(logEntry({ principal: 'bob@example.com' }), { id: 'ev-42' }));
    expect(decision).toEqual({
      action: 'reconcile',
      instance: { full: INSTANCE, product: 'redis', project: 'test-project', location: 'us-central1', id: 'cache-1' },
      trigger: {
        kind: 'event',
        eventId: 'ev-42',
        insertId: 'abc123',
        methodName: 'google.cloud.redis.v1.CloudRedis.UpdateInstance',
        principal: 'bob@example.com',
      },
    });
  });
});

describe('parseAuditEvent: events acknowledged without action, each with a reason', () => {
  const cases: Array<[string, IncomingEvent, RegExp]> = [
    ['first entry of an operation', pubsubEvent(logEntry({ operation: { first: true, last: false } })), /first entry/],
    [
      'another service',
      pubsubEvent(logEntry({ serviceName: 'pubsub.googleapis.com' })),
      /not one of redis\.googleapis\.com, memorystore\.googleapis\.com, memcache\.googleapis\.com/,
    ],
    ['a read-only method', pubsubEvent(logEntry({ method: 'GetInstance' })), /does not change/],
    ['export changes nothing', pubsubEvent(logEntry({ method: 'ExportInstance' })), /does not change/],
    [
      'reschedule maintenance changes nothing',
      pubsubEvent(logEntry({ method: 'RescheduleMaintenance' })),
      /does not change/,
    ],
    [
      'a method of no Memorystore interface',
      pubsubEvent(logEntry({ methodName: 'google.cloud.redis.v9.Nothing.CreateInstance' })),
      /not an instance method of redis\.googleapis\.com/,
    ],
    [
      'a failed call with no operation',
      pubsubEvent(logEntry({ operation: null, status: { code: 7, message: 'denied' } })),
      /failed/,
    ],
    [
      'a resource that is neither an instance nor in a location',
      pubsubEvent(logEntry({ resourceName: 'operations/x', resource: null })),
      /names no instance and no location/,
    ],
    ['Pub/Sub data that is not JSON', pubsubEvent('not json {'), /not a JSON LogEntry/],
    [
      'Pub/Sub message without data',
      { id: '1', type: 'google.cloud.pubsub.topic.v1.messagePublished', data: { message: {} } },
      /no data/,
    ],
    [
      'Pub/Sub event without a message',
      { id: '1', type: 'google.cloud.pubsub.topic.v1.messagePublished', data: 42 },
      /no data/,
    ],
    ['a JSON entry without protoPayload', pubsubEvent({ textPayload: 'hello' }), /not an audit log entry/],
    ['a JSON array', pubsubEvent([1, 2]), /not a JSON LogEntry/],
    [
      'an unknown event type',
      { id: '1', type: 'google.cloud.storage.object.v1.finalized', data: {} },
      /is not handled/,
    ],
    ['an audit event whose data is not an object', auditLogEvent('[]'), /not a JSON object/],
  ];

  test.each(cases)('%s', (_title, event, reason) => {
    const decision = parseAuditEvent(event);
    expect(decision.action).toBe('ignore');
    expect(decision.action === 'ignore' && decision.reason).toMatch(reason);
  });
});

describe('isTooOld', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  test.each([
    ['2026-11-25T11:00:01Z', 3600, false],
    ['2026-11-25T10:59:59Z', 3600, true],
    [undefined, 3600, false],
    ['not a date', 3600, false],
  ])('event at %s with max age %ss: too old = %s', (time, maxAge, expected) => {
    expect(isTooOld(time, now, maxAge)).toBe(expected);
  });
});

describe('parseAuditEvent: the other Memorystore products', () => {
  const relative = 'projects/test-project/locations/us-central1/instances/vk-1';
  const entry = (serviceName: string, methodName: string, resourceName = relative) =>
    pubsubEvent(logEntry({ serviceName, methodName, resourceName }));

  test.each([
    [
      'Valkey v1 update',
      entry('memorystore.googleapis.com', 'google.cloud.memorystore.v1.Memorystore.UpdateInstance'),
      `//memorystore.googleapis.com/${relative}`,
      'valkey',
    ],
    [
      'Valkey v1beta delete',
      entry('memorystore.googleapis.com', 'google.cloud.memorystore.v1beta.Memorystore.DeleteInstance'),
      `//memorystore.googleapis.com/${relative}`,
      'valkey',
    ],
    [
      'Memcached v1 resize',
      entry('memcache.googleapis.com', 'google.cloud.memcache.v1.CloudMemcache.UpdateInstance'),
      `//memcache.googleapis.com/${relative}`,
      'memcached',
    ],
    [
      'Redis Cluster v1 reshard',
      entry(
        'redis.googleapis.com',
        'google.cloud.redis.cluster.v1.CloudRedisCluster.UpdateCluster',
        'projects/test-project/locations/us-central1/clusters/vk-1',
      ),
      '//redis.googleapis.com/projects/test-project/locations/us-central1/clusters/vk-1',
      'redis-cluster',
    ],
    [
      'Memcached v1beta2 software update',
      entry('memcache.googleapis.com', 'google.cloud.memcache.v1beta2.CloudMemcache.ApplySoftwareUpdate'),
      `//memcache.googleapis.com/${relative}`,
      'memcached',
    ],
  ])('%s: the instance as that product names it', (_title, event, full, product) => {
    expect(parseAuditEvent(event)).toMatchObject({ action: 'reconcile', instance: { full, product, id: 'vk-1' } });
  });

  test('a Valkey create naming the parent, the id in the request', () => {
    const event = pubsubEvent(
      logEntry({
        serviceName: 'memorystore.googleapis.com',
        methodName: 'google.cloud.memorystore.v1.Memorystore.CreateInstance',
        resourceName: 'projects/test-project/locations/us-central1',
        request: { parent: 'projects/test-project/locations/us-central1', instanceId: '9valkey' },
      }),
    );
    expect(parseAuditEvent(event)).toMatchObject({
      action: 'reconcile',
      instance: { full: '//memorystore.googleapis.com/projects/test-project/locations/us-central1/instances/9valkey' },
    });
  });

  test.each([
    [
      'Memcached parameters',
      entry('memcache.googleapis.com', 'google.cloud.memcache.v1.CloudMemcache.UpdateParameters'),
      /does not change/,
    ],
    [
      'Valkey backup',
      entry('memorystore.googleapis.com', 'google.cloud.memorystore.v1.Memorystore.BackupInstance'),
      /does not change/,
    ],
    [
      'a Redis method under the Valkey service',
      entry('memorystore.googleapis.com', 'google.cloud.redis.v1.CloudRedis.UpdateInstance'),
      /not an instance method of memorystore\.googleapis\.com/,
    ],
  ])('%s: acknowledged with a reason', (_title, event, reason) => {
    const decision = parseAuditEvent(event);
    expect(decision.action === 'ignore' && decision.reason).toMatch(reason);
  });
});
