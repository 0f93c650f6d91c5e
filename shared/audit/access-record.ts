import jsonPatch, { type Operation } from 'fast-json-patch';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION } from '../model/access.js';
import type { AccessChange } from '../plan/access-changes.js';
import type { UnmatchedDeclaration } from '../plan/resolve-access.js';
import { triggerFields, type AuditRecord, type Outcome, type Trigger } from './audit-record.js';

/**
 * Records of least access (ACCESS_MODE=declared), in the same shape as every other record so they reach the same
 * trail and table: an authorization change of an instance (who was added or removed, and the declarations that grant
 * what remains), and a declaration that names nothing real.
 */
export interface AccessRecordContext {
  readonly id: string;
  readonly time: Date;
  readonly trigger: Trigger;
  readonly dryRun: boolean;
  readonly cluster?: string;
}

const head = (context: AccessRecordContext): Pick<AuditRecord, 'id' | 'time' | 'cluster' | 'trigger' | 'dry_run'> => ({
  id: context.id,
  time: context.time.toISOString(),
  ...(context.cluster ? { cluster: context.cluster } : {}),
  trigger: triggerFields(context.trigger),
  dry_run: context.dryRun,
});

const listed = (label: string, values: readonly string[]): string[] =>
  values.length > 0 ? [`${label} ${values.join(', ')}`] : [];

/** One line an operator can read: `access of X: added namespaces a; removed principals p (declared by ns/name)`. */
export function accessSummary(change: AccessChange): string {
  const parts = [
    ...listed('added namespaces', change.added.namespaces),
    ...listed('added principals', change.added.principals),
    ...listed('removed namespaces', change.removed.namespaces),
    ...listed('removed principals', change.removed.principals),
  ];
  const by = change.declaredBy.length > 0 ? `declared by ${change.declaredBy.join(', ')}` : 'declared by no one';
  return `access: ${parts.join('; ')} (${by})`;
}

/**
 * The patch says the same as the reason, on the access seen as sets (`/access/principals/<principal>`: true), so a
 * query over the table can find every change that gave or took one principal's or namespace's access.
 */
function accessPatch(change: AccessChange): Operation[] {
  const path = (set: string, value: string): string => `/access/${set}/${jsonPatch.escapePathComponent(value)}`;
  const adds = (set: string, values: readonly string[]): Operation[] =>
    values.map((value) => ({ op: 'add', path: path(set, value), value: true }));
  const removes = (set: string, values: readonly string[]): Operation[] =>
    values.map((value) => ({ op: 'remove', path: path(set, value) }));
  return [
    ...adds('namespaces', change.added.namespaces),
    ...adds('principals', change.added.principals),
    ...removes('namespaces', change.removed.namespaces),
    ...removes('principals', change.removed.principals),
  ];
}

export function accessChangeRecord(change: AccessChange, context: AccessRecordContext, outcome: Outcome): AuditRecord {
  return {
    ...head(context),
    instance: { name: change.instance },
    object: {
      api_version: change.ref.apiVersion,
      kind: change.ref.kind,
      namespace: change.ref.namespace,
      name: change.ref.name,
    },
    action: 'update',
    patch: accessPatch(change),
    reason: accessSummary(change),
    outcome,
    duration_ms: 0,
  };
}

/** A declaration that names nothing real: kept out of the access, and reported at every resync until it is fixed. */
export function unmatchedRecord(unmatched: UnmatchedDeclaration, context: AccessRecordContext): AuditRecord {
  const [namespace, name] = unmatched.declaration.split('/') as [string, string];
  return {
    ...head(context),
    instance: null,
    object: { api_version: `${ACCESS_GROUP}/${ACCESS_VERSION}`, kind: ACCESS_KIND, namespace, name },
    action: 'skipped',
    patch: [],
    reason: `declaration ${unmatched.declaration} names nothing real: ${unmatched.reason}`,
    outcome: 'skipped',
    duration_ms: 0,
  };
}
