import pLimit, { type LimitFunction } from 'p-limit';
import type { ClusterStore } from '../adapters/cluster-store.js';
import { completed, type AuditRecord } from '../audit/audit-record.js';
import { errorMessage } from '../errors.js';
import { ANNOTATION_LAST_CHANGE_ID, ANNOTATION_LAST_CHANGE_TIME, type KubeObject } from '../model/k8s-object.js';
import { applyBodyOf, type ServicePortsChange } from '../plan/port-change.js';
import { isPortChange, isWrite, type Change, type ObjectChange } from '../plan/plan-types.js';

/** Each object written carries the id and time of the change that wrote it, to find its audit record. */
function stamped(object: KubeObject, record: AuditRecord): KubeObject {
  const annotations = {
    ...object.metadata.annotations,
    [ANNOTATION_LAST_CHANGE_ID]: record.id,
    [ANNOTATION_LAST_CHANGE_TIME]: record.time,
  };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

async function write(cluster: ClusterStore, change: ObjectChange, record: AuditRecord): Promise<void> {
  if (change.action === 'create' && change.after) return void (await cluster.create(stamped(change.after, record)));
  if (change.action === 'update' && change.after) return void (await cluster.replace(stamped(change.after, record)));
  if (change.action === 'delete' && change.before) return cluster.delete(change.before);
  throw new Error(`internal: a ${change.action} change of ${change.ref.kind} has nothing to write`);
}

export interface ApplyOptions {
  /**
   * The audit record of a change, made when the change's step is reached: made all at once, the records of a resync
   * of thousands of instances would be most of its memory.
   */
  readonly record: (change: Change) => AuditRecord;
  /** Takes each step's completed records as the step ends (to the audit trail), so none are held after. */
  readonly recorded: (records: readonly AuditRecord[]) => Promise<void>;
  readonly now: () => number;
}

/** Writes in flight at once within one step of the plan. */
const WRITE_CONCURRENCY = 16;

/** Object changes that do not depend on each other, or one change of our ports on the egress gateway Service. */
type Step = { readonly objects: readonly ObjectChange[] } | { readonly ports: ServicePortsChange };

/**
 * A plan is ordered make before break (order.ts); consecutive object changes of the same kind and direction form one
 * step, written in parallel (bounded); a step starts only when the one before it has fully succeeded.
 */
function steps(changes: readonly Change[]): Step[] {
  const result: Step[] = [];
  let group: ObjectChange[] = [];
  let previous = '';
  for (const change of changes) {
    if (isPortChange(change)) {
      result.push({ ports: change });
      previous = '';
      continue;
    }
    const key = `${change.action === 'delete' ? 'break' : 'make'}:${change.ref.kind}`;
    if (key !== previous) result.push({ objects: (group = []) });
    group.push(change);
    previous = key;
  }
  return result;
}

/** The Service's resourceVersion as the plan's last apply to it left it; none before the first. */
type ServiceVersion = string | undefined;

/** A step's records, and its first failure. */
interface StepResult {
  readonly records: readonly AuditRecord[];
  readonly failure?: unknown;
}

/** Runs a write, timed; a failure is recorded and returned, not thrown. */
async function timed(
  record: AuditRecord,
  now: () => number,
  run: () => Promise<void>,
): Promise<{ record: AuditRecord; failure?: unknown }> {
  const start = now();
  try {
    await run();
    return { record: completed(record, 'applied', now() - start) };
  } catch (error) {
    return { record: completed(record, 'failed', now() - start, errorMessage(error)), failure: error };
  }
}

async function applyObjects(
  cluster: ClusterStore,
  changes: readonly ObjectChange[],
  options: ApplyOptions,
  limit: LimitFunction,
): Promise<StepResult> {
  let failure: unknown;
  const records = await Promise.all(
    changes.map((change) =>
      limit(async (): Promise<AuditRecord> => {
        const record = options.record(change);
        if (!isWrite(change)) return record;
        if (failure !== undefined) return notAttempted(record);
        const result = await timed(record, options.now, () => write(cluster, change, record));
        failure ??= result.failure;
        return result.record;
      }),
    ),
  );
  return failure !== undefined ? { records, failure } : { records };
}

/**
 * One apply of our ports. It carries the Service's resourceVersion as the plan's previous apply to it left it, or
 * as the plan read it for the first: a writer that changed the Service in between makes it fail (409), and the
 * reconcile plans again from a fresh read, so two reconciles never both hand out a port they each saw as free.
 */
async function applyPorts(
  cluster: ClusterStore,
  change: ServicePortsChange,
  version: ServiceVersion,
  options: ApplyOptions,
): Promise<StepResult & { version: ServiceVersion }> {
  const record = options.record(change);
  if (!isWrite(change)) return { records: [record], version };
  let next: ServiceVersion;
  const result = await timed(record, options.now, async () => {
    next = await cluster.applyServicePorts(applyBodyOf(change, version ?? change.readVersion));
  });
  return {
    records: [result.record],
    version: next,
    ...(result.failure !== undefined ? { failure: result.failure } : {}),
  };
}

const notAttempted = (record: AuditRecord): AuditRecord =>
  completed(record, 'failed', 0, 'not attempted: an earlier change failed');

/** A step after a failure: its writes are recorded as not attempted. */
function skipped(step: Step, options: ApplyOptions): StepResult {
  const changes: readonly Change[] = 'ports' in step ? [step.ports] : step.objects;
  return {
    records: changes.map((change) => (isWrite(change) ? notAttempted(options.record(change)) : options.record(change))),
  };
}

/**
 * Applies the changes step by step and stops after the first step with a failure: later steps rely on earlier ones
 * (make before break), so they are recorded as not attempted and the whole reconcile is retried. Returns the failure.
 */
export async function applyPlan(
  cluster: ClusterStore,
  changes: readonly Change[],
  options: ApplyOptions,
): Promise<{ readonly error?: unknown }> {
  const limit = pLimit(WRITE_CONCURRENCY);
  let failure: unknown;
  let version: ServiceVersion;
  for (const step of steps(changes)) {
    let result: StepResult;
    if (failure !== undefined) {
      result = skipped(step, options);
    } else if ('ports' in step) {
      const applied = await applyPorts(cluster, step.ports, version, options);
      version = applied.version;
      result = applied;
    } else {
      result = await applyObjects(cluster, step.objects, options, limit);
    }
    failure ??= result.failure;
    await options.recorded(result.records);
  }
  return failure !== undefined ? { error: failure } : {};
}
