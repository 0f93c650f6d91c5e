import jsonPatch, { type Operation } from 'fast-json-patch';
import type { EventTrigger } from '../events/parse-audit-event.js';
import { type MemorystoreInstance } from '../model/instance.js';
import { instanceObjectRef } from '../products/instance-name.js';
import type { KubeObject, ObjectRef } from '../model/k8s-object.js';
import { serviceObjectsOf } from '../plan/port-change.js';
import { isPortChange, type Change, type ChangeAction } from '../plan/plan-types.js';

export interface ResyncTrigger {
  readonly kind: 'resync';
  readonly principal: string;
  readonly scheduled: boolean;
}

export type Trigger = EventTrigger | ResyncTrigger;

/**
 * `intent`: a write about to be made, logged (and flushed) before it is sent, under the id the object will carry; the
 * same id's record with its outcome follows. An intent alone means the process stopped during the write: the
 * object's `last-change-id` says whether the change landed.
 * `conflict-retried`: a write met a newer version of its object (409) and the reconcile read the cluster and planned
 * again; the retry's own record says what was written. Only the last try's conflict is `failed`.
 */
export type Outcome =
  'planned' | 'intent' | 'applied' | 'failed' | 'conflict' | 'conflict-retried' | 'skipped' | 'unchanged';

/**
 * One record per attempted change or conflict: the same shape in the log line, on the audit topic (and so in
 * BigQuery), in the resync report and in the dry-run plan. Field names are snake_case to match the BigQuery table.
 */
export interface AuditRecord {
  readonly id: string;
  readonly time: string;
  /** The cluster the object is in (SYNC_CLUSTERS' name, or CLUSTER_NAME): one deployment may keep several in step. */
  readonly cluster?: string;
  readonly trigger: {
    readonly kind: 'event' | 'resync';
    readonly event_id?: string;
    readonly insert_id?: string;
    readonly method_name?: string;
    readonly principal?: string;
    readonly scheduled?: boolean;
  };
  readonly instance: { readonly name: string; readonly host?: string; readonly port?: number } | null;
  readonly object: {
    readonly api_version: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
  };
  readonly action: ChangeAction;
  /** RFC 6902 operations that turn the object before the change into the object after it. */
  readonly patch: readonly Operation[];
  readonly reason?: string;
  readonly dry_run: boolean;
  readonly outcome: Outcome;
  readonly error?: string;
  readonly duration_ms: number;
}

/**
 * Longest trigger fields a record carries. They come from the event as sent (a log entry's insertId, its caller's
 * principalEmail): a megabyte there would otherwise be copied into every record of the event and every log line.
 * Real ones are far shorter (an email address is at most 254 characters).
 */
export const MAX_TRIGGER_FIELD = { event_id: 256, insert_id: 256, principal: 512 } as const;

/** The value, or its start and a marker saying how long it was, in `max` characters. */
function capped(value: string, max: number): string {
  if (value.length <= max) return value;
  const marker = `…[${value.length} chars in all]`;
  return `${value.slice(0, max - marker.length)}${marker}`;
}

export function triggerFields(trigger: Trigger): AuditRecord['trigger'] {
  const cap = MAX_TRIGGER_FIELD;
  if (trigger.kind === 'resync')
    return { kind: 'resync', principal: capped(trigger.principal, cap.principal), scheduled: trigger.scheduled };
  return {
    kind: 'event',
    event_id: capped(trigger.eventId, cap.event_id),
    method_name: trigger.methodName,
    ...(trigger.insertId ? { insert_id: capped(trigger.insertId, cap.insert_id) } : {}),
    ...(trigger.principal ? { principal: capped(trigger.principal, cap.principal) } : {}),
  };
}

/** The object as the patch compares it: the server's bookkeeping (resourceVersion) is not a change anyone made. */
function comparable(object: KubeObject | undefined): object {
  if (!object) return {};
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/**
 * A created object's patch adds each of its top-level fields. The values are the object's own, not copies (as
 * `compare` would make): a resync creating thousands of objects would otherwise hold every object twice.
 */
function additions(object: KubeObject): Operation[] {
  return Object.entries(comparable(object))
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ op: 'add', path: `/${jsonPatch.escapePathComponent(key)}`, value: value as unknown }));
}

export function patchOf(before: KubeObject | undefined, after: KubeObject | undefined): Operation[] {
  if (!before && after) return additions(after);
  return jsonPatch.compare(comparable(before), comparable(after));
}

const PLANNED_OUTCOME: Record<ChangeAction, Outcome> = {
  create: 'planned',
  update: 'planned',
  delete: 'planned',
  conflict: 'conflict',
  skipped: 'skipped',
  unchanged: 'unchanged',
};

export interface RecordContext {
  readonly id: string;
  readonly time: Date;
  readonly trigger: Trigger;
  readonly dryRun: boolean;
  /** The instances as last read, for host and port. */
  readonly instances: ReadonlyMap<string, MemorystoreInstance>;
  readonly cluster?: string;
}

/**
 * The instance the change belongs to. A change of our ports on the egress gateway Service names the instance its
 * ports belong to when they are one instance's; the ports of several are named in its reason (port-change.ts).
 */
function instanceFields(change: Change, context: RecordContext): AuditRecord['instance'] {
  const name = change.instance;
  if (!name) return null;
  // The first endpoint (primary, or discovery) stands for the instance's address.
  const first = context.instances.get(name)?.endpoints?.[0];
  return { name, ...(first ? { host: first.address, port: first.port } : {}) };
}

const objectFields = (ref: ObjectRef): AuditRecord['object'] => ({
  api_version: ref.apiVersion,
  kind: ref.kind,
  namespace: ref.namespace,
  name: ref.name,
});

/** Only writes have a patch: a conflict or a skip changes nothing. */
const WRITES: ReadonlySet<ChangeAction> = new Set(['create', 'update', 'delete']);

/** The patch of a write; for our ports, of the Service as they make it before and after. */
function changePatch(change: Change): Operation[] {
  const { before, after } = isPortChange(change) ? serviceObjectsOf(change) : change;
  return patchOf(before, after);
}

/** The record of a planned change, before it is applied. */
export function recordOf(change: Change, context: RecordContext): AuditRecord {
  return {
    id: context.id,
    time: context.time.toISOString(),
    ...(context.cluster ? { cluster: context.cluster } : {}),
    trigger: triggerFields(context.trigger),
    instance: instanceFields(change, context),
    object: objectFields(change.ref),
    action: change.action,
    patch: WRITES.has(change.action) ? changePatch(change) : [],
    ...(change.reason ? { reason: change.reason } : {}),
    dry_run: context.dryRun,
    outcome: PLANNED_OUTCOME[change.action],
    duration_ms: 0,
  };
}

export function completed(record: AuditRecord, outcome: Outcome, durationMs: number, error?: string): AuditRecord {
  return { ...record, outcome, duration_ms: Math.round(durationMs), ...(error ? { error } : {}) };
}

/** Records that go to the audit trail: every write, conflict and skip. Unchanged objects appear in reports only. */
export const isAudited = (record: AuditRecord): boolean => record.action !== 'unchanged';

/**
 * The record of an instance whose reconcile failed for good before anything was written (the function may not read
 * the instance, the apiserver refused a read): nothing changed, and the trail says why.
 */
export function failureRecord(
  context: { id: string; time: Date; trigger: Trigger; cluster?: string },
  instance: string,
  error: string,
): AuditRecord {
  return {
    id: context.id,
    time: context.time.toISOString(),
    ...(context.cluster ? { cluster: context.cluster } : {}),
    trigger: triggerFields(context.trigger),
    instance: { name: instance },
    object: objectFields(instanceObjectRef(instance)),
    action: 'skipped',
    patch: [],
    reason: 'the reconcile failed in a way no retry can fix; nothing was written',
    dry_run: false,
    outcome: 'failed',
    error,
    duration_ms: 0,
  };
}
