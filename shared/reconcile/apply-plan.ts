import pLimit from 'p-limit';
import type { ClusterStore } from '../adapters/cluster-store.js';
import { completed, type AuditRecord } from '../audit/audit-record.js';
import { errorMessage } from '../errors.js';
import { ANNOTATION_LAST_CHANGE_ID, ANNOTATION_LAST_CHANGE_TIME, type KubeObject } from '../model/k8s-object.js';
import { isWrite, type Change } from '../plan/plan-types.js';

/** Each object written carries the id and time of the change that wrote it, to find its audit record. */
function stamped(object: KubeObject, record: AuditRecord): KubeObject {
  if (object.kind === 'Service') return object; // the Service is not ours: we only apply our ports to it
  const annotations = { ...object.metadata.annotations, [ANNOTATION_LAST_CHANGE_ID]: record.id, [ANNOTATION_LAST_CHANGE_TIME]: record.time };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** The Service's resourceVersion after our own last apply to it, so our next apply can carry it. */
interface ServiceVersion {
  current?: string;
}

/** Each apply to the Service carries the version our previous apply left, or the one the plan read. */
async function applyService(cluster: ClusterStore, body: KubeObject, service: ServiceVersion): Promise<void> {
  const version = service.current ?? body.metadata.resourceVersion;
  service.current = await cluster.applyServicePorts({ ...body, metadata: { ...body.metadata, ...(version ? { resourceVersion: version } : {}) } });
}

async function write(cluster: ClusterStore, change: Change, record: AuditRecord, service: ServiceVersion): Promise<void> {
  if (change.ref.kind === 'Service' && change.after) return applyService(cluster, change.after, service);
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
 * when the one before it has fully succeeded.
 */
function steps(changes: readonly Change[]): number[][] {
  const result: number[][] = [];
  let previous = '';
  for (const [index, change] of changes.entries()) {
    const key = `${change.action === 'delete' ? 'break' : 'make'}:${change.ref.kind}`;
    if (key !== previous || change.ref.kind === 'Service') result.push([]);
    result[result.length - 1]!.push(index);
    previous = key;
  }
  return result;
}

/**
 * Applies the changes step by step and stops after the first step with a failure: later steps rely on earlier ones
 * (make before break), so they are recorded as not attempted and the whole reconcile is retried. Returns the failure.
 */
export async function applyPlan(cluster: ClusterStore, changes: readonly Change[], options: ApplyOptions): Promise<{ readonly error?: unknown }> {
  const service: ServiceVersion = {};
  const limit = pLimit(WRITE_CONCURRENCY);
  let failure: unknown;
  for (const step of steps(changes)) {
    const records = await Promise.all(
      step.map((index) =>
        limit(async (): Promise<AuditRecord> => {
          const change = changes[index]!;
          const record = options.record(index);
          if (!isWrite(change)) return record;
          if (failure !== undefined) return completed(record, 'failed', 0, 'not attempted: an earlier change failed');
          const start = options.now();
          try {
            await write(cluster, change, record, service);
            return completed(record, 'applied', options.now() - start);
          } catch (error) {
            failure ??= error;
            return completed(record, 'failed', options.now() - start, errorMessage(error));
          }
        }),
      ),
    );
    await options.recorded(records);
  }
  return failure !== undefined ? { error: failure } : {};
}
