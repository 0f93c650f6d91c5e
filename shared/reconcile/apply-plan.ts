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

export interface ApplyResult {
  readonly records: AuditRecord[];
  readonly error?: unknown;
}

/**
 * Applies the changes in plan order and stops at the first failure: later steps rely on earlier ones (make before
 * break), so they are recorded as not attempted and the whole reconcile is retried.
 */
export async function applyPlan(cluster: ClusterStore, changes: readonly Change[], records: readonly AuditRecord[], now: () => number): Promise<ApplyResult> {
  const results: AuditRecord[] = [];
  const service: ServiceVersion = {};
  let failure: unknown;
  for (const [index, change] of changes.entries()) {
    const record = records[index]!;
    if (!isWrite(change)) {
      results.push(record);
    } else if (failure !== undefined) {
      results.push(completed(record, 'failed', 0, 'not attempted: an earlier change failed'));
    } else {
      const start = now();
      try {
        await write(cluster, change, record, service);
        results.push(completed(record, 'applied', now() - start));
      } catch (error) {
        failure = error;
        results.push(completed(record, 'failed', now() - start, errorMessage(error)));
      }
    }
  }
  return { records: results, ...(failure !== undefined ? { error: failure } : {}) };
}
