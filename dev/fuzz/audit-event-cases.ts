import fc from 'fast-check';
import { logEntry } from '../fixtures/audit-entries.js';
import { hostileOrOversized, hostileValue, OVERSIZED, ownKeysObject, PROTOTYPE_KEYS } from './hostile-values.js';

export const PUBSUB_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished';
export const AUDIT_TYPE = 'google.cloud.audit.log.v1.written';

/** A generated CloudEvent: its type, its data as JSON text, and the LogEntry it carries intact (undefined if none). */
export interface EventCase {
  readonly type: string;
  readonly body: string;
  readonly entry: unknown;
}

const PATHS: ReadonlyArray<readonly string[]> = [
  [],
  ['protoPayload'],
  ['protoPayload', 'methodName'],
  ['protoPayload', 'serviceName'],
  ['protoPayload', 'resourceName'],
  ['protoPayload', 'request'],
  ['protoPayload', 'request', 'parent'],
  ['protoPayload', 'request', 'instanceId'],
  ['protoPayload', 'status'],
  ['protoPayload', 'status', 'code'],
  ['protoPayload', 'authenticationInfo'],
  ['protoPayload', 'authenticationInfo', 'principalEmail'],
  ['operation'],
  ['operation', 'first'],
  ['operation', 'last'],
  ['insertId'],
  ['__proto__'],
  ['protoPayload', '__proto__'],
  ['constructor'],
  ['protoPayload', 'constructor'],
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets a path to a value as own properties all the way down (defineProperty: `__proto__` stays a plain key). */
function withValueAt(entry: Record<string, unknown>, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const child = Object.hasOwn(entry, head) && isObject(entry[head]) ? entry[head] : {};
  const copy: Record<string, unknown> = { ...entry };
  Object.defineProperty(copy, head, {
    value: withValueAt({ ...child }, rest, value),
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return copy;
}

const method = fc.oneof(
  fc.constantFrom(
    'CreateInstance',
    'UpdateInstance',
    'DeleteInstance',
    'FailoverInstance',
    'UpgradeInstance',
    'ImportInstance',
    'GetInstance',
    'ExportInstance',
  ),
  fc.string({ maxLength: 20 }),
);
const baseEntry = fc.record({
  method,
  version: fc.constantFrom('v1' as const, 'v1beta1' as const),
  resourceName: fc.constantFrom(
    'projects/test-project/locations/us-central1/instances/cache-1',
    'projects/other/locations/us-central1/instances/x',
    'projects/test-project/locations/us-central1',
  ),
  operation: fc.constantFrom(null, { first: true, last: false }, { last: true }),
});

/** A well-formed entry of ours with one field replaced by a hostile value, maybe more than once. */
const mutatedEntry: fc.Arbitrary<unknown> = fc
  .tuple(baseEntry, fc.array(fc.tuple(fc.constantFrom(...PATHS), hostileOrOversized), { maxLength: 3 }))
  .map(([base, mutations]) =>
    mutations.reduce<unknown>(
      (entry, [path, value]) => (isObject(entry) ? withValueAt(entry, path, value) : entry),
      logEntry(base),
    ),
  );

const anyEntry: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 30, arbitrary: mutatedEntry },
  { weight: 5, arbitrary: hostileValue },
  { weight: 1, arbitrary: fc.constant(logEntry({ methodName: `google.cloud.redis.v1.CloudRedis.${OVERSIZED}` })) },
);

/** The Pub/Sub message wrapper, intact or broken: bad base64, data of the wrong type, truncated JSON, random bytes. */
const pubsubCase: fc.Arbitrary<EventCase> = fc
  .tuple(anyEntry, fc.nat(5), fc.uint8Array({ maxLength: 64 }), hostileValue)
  .map(([entry, how, bytes, junk]) => {
    const text = JSON.stringify(entry) ?? 'null';
    const encodings: Array<[unknown, unknown]> = [
      [Buffer.from(text).toString('base64'), entry],
      [Buffer.from(text.slice(0, -1)).toString('base64'), undefined],
      [Buffer.from(bytes).toString('base64'), undefined],
      ['!!not base64 at all%%', undefined],
      [junk, undefined],
      [undefined, undefined],
    ];
    const [data, intact] = encodings[how]!;
    return {
      type: PUBSUB_TYPE,
      body: JSON.stringify({
        message: { data, messageId: '1', attributes: {} },
        subscription: 'projects/test-project/subscriptions/s',
      }),
      entry: intact,
    };
  });

const auditCase: fc.Arbitrary<EventCase> = anyEntry.map((entry) => ({
  type: AUDIT_TYPE,
  body: JSON.stringify(entry) ?? 'null',
  entry,
}));
const otherTypeCase: fc.Arbitrary<EventCase> = fc
  .tuple(
    fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(...PROTOTYPE_KEYS)),
    ownKeysObject(fc.string({ maxLength: 8 }), hostileValue),
  )
  .map(([type, data]) => ({ type, body: JSON.stringify(data), entry: undefined }));

export const eventCase: fc.Arbitrary<EventCase> = fc.oneof(
  { weight: 5, arbitrary: pubsubCase },
  { weight: 3, arbitrary: auditCase },
  { weight: 1, arbitrary: otherTypeCase },
);

const CHANGING_METHOD =
  /^google\.cloud\.redis\.v1(beta1|alpha1)?\.CloudRedis\.(Create|Update|Delete|Failover|Upgrade|Import)Instance$/;

/**
 * What must hold of any event the function acts on (written apart from the decoder, from the documented rules): an
 * intact audit entry of redis.googleapis.com, for a method that changes an instance, naming a resource or a location
 * of `project` (in its resourceName, request, operation name or monitored resource).
 * Acting on anything else is a defect; this cannot say which of these it must act on, only which it must not.
 */
export function mayBeActedOn(entry: unknown, project = '[^/]+'): boolean {
  if (!isObject(entry) || !Object.hasOwn(entry, 'protoPayload') || !isObject(entry['protoPayload'])) return false;
  const payload = entry['protoPayload'];
  if (
    payload['serviceName'] !== 'redis.googleapis.com' ||
    typeof payload['methodName'] !== 'string' ||
    !CHANGING_METHOD.test(payload['methodName'])
  )
    return false;
  const request = isObject(payload['request']) ? payload['request'] : {};
  const operation = isObject(entry['operation']) ? entry['operation'] : {};
  const resource = isObject(entry['resource']) ? entry['resource'] : {};
  const labels = isObject(resource['labels']) ? resource['labels'] : {};
  const names = [payload['resourceName'], request['parent'], request['name'], operation['id']];
  const named = names.some(
    (n) => typeof n === 'string' && new RegExp(`^(//[^/]+/)?projects/${project}/locations/`).test(n),
  );
  return named || (typeof labels['project_id'] === 'string' && new RegExp(`^${project}$`).test(labels['project_id']));
}
