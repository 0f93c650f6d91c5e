import { accessChangeRecord, unmatchedRecord, type AccessRecordContext } from '../audit/access-record.js';
import type { AuditRecord, Outcome, Trigger } from '../audit/audit-record.js';
import type { InstanceAccess } from '../model/access.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { accessChanges, type AccessChange } from '../plan/access-changes.js';
import type { InstanceObservation } from '../plan/desired-state.js';
import { resolveAccess, servedNamespaces, type UnmatchedDeclaration } from '../plan/resolve-access.js';
import type { ClusterRead } from './read-cluster.js';
import type { RecordTally } from './record-tally.js';
import type { SyncDeps } from './sync-deps.js';

/** Least access as one sync plans it (ACCESS_MODE=declared): the access map planning renders, and what it changes. */
export interface AccessPlan {
  readonly access: ReadonlyMap<string, InstanceAccess>;
  readonly changes: readonly AccessChange[];
  /** Declarations naming nothing real, reported by resyncs (an event sees a few instances, not all). */
  readonly unmatched: readonly UnmatchedDeclaration[];
}

/** Refuses a plan by its access changes and the number of managed instances (access-changes.ts revokeGuard). */
export type AccessGuard = (changes: readonly AccessChange[], managed: number) => string | undefined;

export const managedInstances = (owned: readonly KubeObject[]): number =>
  new Set(owned.map(instanceNameOf).filter((n) => n !== undefined)).size;

export function planAccess(
  deps: SyncDeps,
  scope: readonly InstanceObservation[],
  read: ClusterRead,
  trigger: Trigger,
): AccessPlan | undefined {
  if (!read.declarations) return undefined;
  const { process, cluster } = deps.settings;
  const instances = scope.flatMap((o) => (o.instance ? [o.instance] : []));
  const served = servedNamespaces(cluster.exportTo, cluster.istioNamespace);
  const resolved = resolveAccess(read.declarations.declarations, instances, {
    trustDomain: process.access.trustDomain,
    ...(served ? { servedNamespaces: served } : {}),
  });
  const changes = accessChanges(
    instances.map((i) => i.name),
    read.owned,
    resolved.access,
  );
  if (trigger.kind !== 'resync') return { access: resolved.access, changes, unmatched: [] };
  const malformed = read.declarations.malformed.map((declaration) => ({
    declaration,
    reason: 'its spec is not one the MemorystoreAccess CRD admits',
  }));
  const unmatched = [...resolved.unmatched, ...malformed];
  for (const u of unmatched)
    deps.log.warn(
      { declaration: u.declaration, reason: u.reason },
      'a MemorystoreAccess declaration names nothing real',
    );
  if (resolved.ignored.length > 0)
    deps.log.info(
      { declarations: resolved.ignored.slice(0, 10), count: resolved.ignored.length },
      'MemorystoreAccess declarations in namespaces outside SERVICE_ENTRY_EXPORT_TO are ignored',
    );
  return { access: resolved.access, changes, unmatched };
}

/** The revoke guard's answer for a planned access; none in open mode or without a guard (a forced resync). */
export function accessRefusal(
  access: AccessPlan | undefined,
  read: ClusterRead,
  guard: AccessGuard | undefined,
): string | undefined {
  return access && guard ? guard(access.changes, managedInstances(read.owned)) : undefined;
}

/** Hands records to the audit trail (unless `publish` is false: a refused plan), then to the tally. */
export const recordedBy =
  (deps: SyncDeps, tally: RecordTally, publish = true) =>
  async (records: readonly AuditRecord[]): Promise<void> => {
    if (records.length === 0) return;
    if (publish) await deps.audit.write(records);
    tally.add(records);
  };

/**
 * Makes the records of a planned access and hands them on: one per instance whose access changes (except `failed`
 * instances, whose objects were not written), and one per declaration that names nothing real. Nothing in open mode.
 */
export function accessRecorder(
  deps: SyncDeps,
  access: AccessPlan | undefined,
  context: Omit<AccessRecordContext, 'id'>,
): (outcome: Outcome, handOn: (records: AuditRecord[]) => unknown, failed?: ReadonlySet<string>) => Promise<void> {
  return async (outcome, handOn, failed = new Set()) => {
    if (!access) return;
    const { changes, unmatched } = access;
    const records = [
      ...changes
        .filter((c) => !failed.has(c.instance))
        .map((c) => accessChangeRecord(c, { ...context, id: deps.newId() }, outcome)),
      ...unmatched.map((u) => unmatchedRecord(u, { ...context, id: deps.newId() })),
    ];
    await handOn(records);
  };
}
