import pLimit from 'p-limit';
import type { ClusterStore } from '../adapters/cluster-store.js';
import { completed, type AuditRecord } from '../audit/audit-record.js';
import { errorMessage } from '../errors.js';
import { ANNOTATION_LAST_CHANGE_ID, ANNOTATION_LAST_CHANGE_TIME, type KubeObject } from '../model/k8s-object.js';
import { applyBodyOf } from '../plan/port-change.js';
import { isPortChange, isWrite, type Change, type ObjectChange } from '../plan/plan-types.js';

/** Each object written carries the id and time of the change that wrote it, to find its audit record. */
function stamped(object: KubeObject, record: AuditRecord): KubeObject {
  const annotations = { ...object.metadata.annotations, [ANNOTATION_LAST_CHANGE_ID]: record.id, [ANNOTATION_LAST_CHANGE_TIME]: record.time };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

async function write(cluster: ClusterStore, change: ObjectChange, record: AuditRecord): Promise<void> {
  if (change.action === 'create' && change.after) return void (await cluster.create(stamped(change.after, record)));
  if (change.action === 'update' && change.after) return void (await cluster.replace(stamped(change.after, record)));
  if (change.action === 'delete' && change.before) return cluster.delete(change.before);
  throw new Error(`internal: a ${change.action} change of ${change.ref.kind} has nothing to write`);
}

export interface ApplyOptions {
  /** The audit record of the change at this index, made when its step is reached. */
  readonly record: (index: number) => AuditRecord;
  /** Takes each step's completed records as the step ends (to the audit trail), so none are held after. */
  readonly recorded: (records: readonly AuditRecord[]) => Promise<void>;
  readonly now: () => number;
}

/** Writes in flight at once within one step of the plan. */
const WRITE_CONCURRENCY = 16;

/**
 * A plan is ordered make before break (order.ts); consecutive changes of the same kind and direction form one step.
 * Changes inside a step do not depend on each other, so they are written in parallel (bounded); a step starts only
 * when the one before it has fully succeeded. A change of our Service ports is a step of its own.
 */
function steps(changes: readonly Change[]): number[][] {
  const result: number[][] = [];
  let previous = '';
  for (const [index, change] of changes.entries()) {
    const key = `${change.action === 'delete' ? 'break' : 'make'}:${change.ref.kind}`;
    if (key !== previous || isPortChange(change)) result.push([]);
    result[result.length - 1]!.push(index);
    previous = key;
  }
  return result;
}

/** The Service's resourceVersion as our last apply to it left it; none before the plan's first apply. */
type ServiceVersion = string | undefined;

/** One change, timed and recorded; `failure` is the plan's first failed write, if any, which stops later writes. */
type Attempt = (change: Change, record: AuditRecord, write: () => Promise<void>) => Promise<AuditRecord>;

/**
 * Applies the changes step by step and stops after the first step with a failure: later steps rely on earlier ones
 * (make before break), so they are recorded as not attempted and the whole reconcile is retried. Returns the failure.
 * Applies of our Service ports chain its resourceVersion: the first carries the version the plan read, each later
 * one the version the one before it left, so a concurrent writer's change in between fails the apply (409).
 */
export async function applyPlan(cluster: ClusterStore, changes: readonly Change[], options: ApplyOptions): Promise<{ readonly error?: unknown }> {
  const limit = pLimit(WRITE_CONCURRENCY);
  let failure: unknown;
  let serviceVersion: ServiceVersion;
  const attempt: Attempt = async (change, record, write) => {
    if (!isWrite(change)) return record;
    if (failure !== undefined) return completed(record, 'failed', 0, 'not attempted: an earlier change failed');
    const start = options.now();
    try {
      await write();
      return completed(record, 'applied', options.now() - start);
    } catch (error) {
      failure ??= error;
      return completed(record, 'failed', options.now() - start, errorMessage(error));
    }
  };
  for (const step of steps(changes)) {
    const records = await Promise.all(
      step.map((index) =>
        limit(async (): Promise<AuditRecord> => {
          const change = changes[index]!;
          const record = options.record(index);
          if (!isPortChange(change)) return attempt(change, record, () => write(cluster, change, record));
          return attempt(change, record, async () => {
            serviceVersion = await cluster.applyServicePorts(applyBodyOf(change, serviceVersion ?? change.readVersion));
          });
        }),
      ),
    );
    await options.recorded(records);
  }
  return failure !== undefined ? { error: failure } : {};
}
