import { completed, isAudited, MAX_TRIGGER_FIELD, patchOf, recordOf } from '../../../shared/audit/audit-record.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { Change } from '../../../shared/plan/plan-types.js';

const before: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'redis-x', namespace: 'istio-system', resourceVersion: '41' },
  spec: { addresses: ['10.0.0.3/32'], endpoints: [{ address: '10.0.0.3' }] },
};
const after: KubeObject = {
  ...before,
  metadata: { ...before.metadata, resourceVersion: '41' },
  spec: { addresses: ['10.0.0.9/32'], endpoints: [{ address: '10.0.0.9' }] },
};
const instance = 'projects/p/locations/r/instances/x';
const context = {
  id: 'rec-1',
  time: new Date('2026-11-25T10:00:00Z'),
  trigger: {
    kind: 'event' as const,
    eventId: 'ev',
    insertId: 'ins',
    methodName: 'google.cloud.redis.v1.CloudRedis.UpdateInstance',
    principal: 'alice@example.com',
  },
  dryRun: false,
  instances: new Map([
    [
      instance,
      {
        name: instance,
        state: 'READY',
        phase: 'ready' as const,
        endpoints: [{ role: 'primary', address: '10.0.0.9', port: 6379 }],
      },
    ],
  ]),
};

describe('audit records', () => {
  test('an update: who, what, the JSON Patch from before to after', () => {
    const change: Change = {
      target: 'object',
      action: 'update',
      ref: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'istio-system', name: 'redis-x' },
      instance,
      before,
      after,
    };
    expect(recordOf(change, context)).toEqual({
      id: 'rec-1',
      time: '2026-11-25T10:00:00.000Z',
      trigger: {
        kind: 'event',
        event_id: 'ev',
        insert_id: 'ins',
        method_name: 'google.cloud.redis.v1.CloudRedis.UpdateInstance',
        principal: 'alice@example.com',
      },
      instance: { name: instance, host: '10.0.0.9', port: 6379 },
      object: {
        api_version: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        namespace: 'istio-system',
        name: 'redis-x',
      },
      action: 'update',
      patch: [
        { op: 'replace', path: '/spec/endpoints/0/address', value: '10.0.0.9' },
        { op: 'replace', path: '/spec/addresses/0', value: '10.0.0.9/32' },
      ],
      dry_run: false,
      outcome: 'planned',
      duration_ms: 0,
    });
  });

  test('a create patches from nothing; a delete to nothing; resourceVersion is never part of a patch', () => {
    expect(patchOf(undefined, after)).toEqual([
      { op: 'add', path: '/apiVersion', value: after.apiVersion },
      { op: 'add', path: '/kind', value: 'ServiceEntry' },
      { op: 'add', path: '/metadata', value: { name: 'redis-x', namespace: 'istio-system' } },
      { op: 'add', path: '/spec', value: after.spec },
    ]);
    expect(patchOf(before, undefined).map((op) => op.op)).toEqual(['remove', 'remove', 'remove', 'remove']);
  });

  test('a resync trigger names the caller and whether it was scheduled; completion adds outcome and duration', () => {
    const change: Change = {
      target: 'object',
      action: 'conflict',
      ref: { apiVersion: 'v1', kind: 'ServiceEntry', namespace: 'n', name: 'x' },
      instance,
      before,
      reason: 'foreign',
    };
    const record = recordOf(change, {
      ...context,
      trigger: { kind: 'resync', principal: 'op@example.com', scheduled: false },
      dryRun: true,
    });
    expect(record).toMatchObject({
      trigger: { kind: 'resync', principal: 'op@example.com', scheduled: false },
      outcome: 'conflict',
      dry_run: true,
      patch: [],
      reason: 'foreign',
    });
    expect(completed(record, 'failed', 12.4, 'boom')).toMatchObject({
      outcome: 'failed',
      duration_ms: 12,
      error: 'boom',
    });
  });

  test('unchanged objects are reported but not audited', () => {
    const change: Change = {
      target: 'object',
      action: 'unchanged',
      ref: { apiVersion: 'v1', kind: 'ServiceEntry', namespace: 'n', name: 'x' },
      instance,
      before,
      after: before,
    };
    expect(isAudited(recordOf(change, context))).toBe(false);
    expect(isAudited(recordOf({ ...change, action: 'delete' }, context))).toBe(true);
  });

  test('trigger fields from the event are capped, with a marker saying how much was cut', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const trigger = { ...context.trigger, eventId: huge, insertId: huge, principal: `${huge}@example.com` };
    const change: Change = {
      target: 'object',
      action: 'create',
      ref: { apiVersion: 'v1', kind: 'ServiceEntry', namespace: 'n', name: 'x' },
      instance,
      after,
    };
    const record = recordOf(change, { ...context, trigger });
    const { insert_id, principal, event_id } = record.trigger;
    expect(insert_id).toHaveLength(MAX_TRIGGER_FIELD.insert_id);
    expect(principal).toHaveLength(MAX_TRIGGER_FIELD.principal);
    expect(event_id).toHaveLength(MAX_TRIGGER_FIELD.event_id);
    expect(insert_id).toMatch(/^x+…\[1048\d{3} chars in all\]$/);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(4096);
    // A value within the cap is kept as it is.
    expect(recordOf(change, context).trigger).toMatchObject({ insert_id: 'ins', principal: 'alice@example.com' });
  });
});
