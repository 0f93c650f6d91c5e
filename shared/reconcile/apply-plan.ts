import type { ClusterStore } from '../adapters/cluster-store.js';
import { eachBounded } from '../each-bounded.js';
import { completed, type AuditRecord, type Outcome } from '../audit/audit-record.js';
import { errorMessage, failureClass, replans } from '../errors.js';
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

/** Not async: the client's promise is the write's only one (each promise counts: shared/each-bounded.ts). */
function write(cluster: ClusterStore, change: ObjectChange, record: AuditRecord): Promise<unknown> {
  if (change.action === 'create' && change.after) return cluster.create(stamped(change.after, record));
  if (change.action === 'update' && change.after) return cluster.replace(stamped(change.after, record));
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
  /** Makes a write's intent durable before the write is sent (its record, under the id the object will carry). */
  readonly intended?: (record: AuditRecord) => Promise<void> | undefined;
  /**
   * A conflict (409) will be met by reading the cluster and planning again (this is not the last try): the write that
   * met it is recorded `conflict-retried`, not `failed`, and what it held up is recorded by the try that writes it.
   */
  readonly retriesConflicts?: boolean;
  /** Writes in flight at once within one step of the plan (KUBE_WRITES_IN_FLIGHT). */
  readonly writesInFlight: number;
}

export interface ApplyResult {
  /** The failure that stopped the whole plan (transient, a conflict, or one no instance owns); nothing after it ran. */
  readonly error?: unknown;
  /** Instances one of whose writes the apiserver refused for good (HTTP 4xx but 409), with the refusal. */
  readonly refused: ReadonlyMap<string, string>;
}

/** Object changes that do not depend on each other, or one change of our ports on the egress gateway Service. */
type Step = { readonly objects: readonly ObjectChange[] } | { readonly ports: ServicePortsChange };

/**
 * A plan is ordered make before break (order.ts); consecutive object changes of the same kind and direction form one
 * step, written in parallel (bounded); a step starts only when the one before it has ended.
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

/** The instances a change belongs to: an object's one, or the owners of the ports a Service change adds or removes. */
const instancesOf = (change: Change): readonly string[] =>
  isPortChange(change) ? change.owners : change.instance ? [change.instance] : [];

const notAttempted = (record: AuditRecord, why: string): AuditRecord =>
  completed(record, 'failed', 0, `not attempted: ${why}`);

/**
 * One apply of a plan. A write the apiserver refuses for good (an object its schema or an admission policy rejects)
 * fails that write's instance alone: the instance's later steps are not attempted (make before break: nothing is
 * made to point at an object that was refused), and the other instances go on. Any other failure (the apiserver
 * unavailable or throttling, a conflict) stops the whole plan: the reconcile is retried, or planned again.
 */
class PlanApply {
  readonly refused = new Map<string, string>();
  /** The failure that stopped the plan. */
  stop: unknown;
  /** A ports step was refused: the ones after it were planned on top of it. */
  private portsRefused = false;
  /** Each Service's resourceVersion as the plan's last write to it left it; none before the first. */
  private readonly versions = new Map<string, string | undefined>();

  constructor(
    private readonly cluster: ClusterStore,
    private readonly options: ApplyOptions,
  ) {}

  /** After a conflict that is planned again, the rest of this try is recorded by the next one. */
  private get replanning(): boolean {
    return this.stop !== undefined && this.options.retriesConflicts === true && replans(this.stop);
  }

  /** Why a write is not attempted, if it is not. */
  private holdBack(change: Change): string | undefined {
    if (this.stop !== undefined) return 'an earlier change failed';
    const failed = instancesOf(change).find((name) => this.refused.has(name));
    if (!isPortChange(change)) return failed ? 'a change of its instance was refused' : undefined;
    if (this.portsRefused) return 'an earlier change of the ports was refused';
    // Ports are removed only once the Gateways that used them are gone: a refused instance may still hold one.
    // Ports added for a refused instance among others are added with theirs: no Gateway listens on them, and they
    // stay its own.
    if (failed && change.owners.every((name) => this.refused.has(name))) return 'a change of its instances was refused';
    if (change.phase === 'break' && failed) return `the ports of ${failed} may still be in use: it was refused`;
    return undefined;
  }

  /** Runs a write, timed; a failure is recorded and noted, not thrown. */
  private async attempt(change: Change, record: AuditRecord, run: () => Promise<unknown>): Promise<AuditRecord> {
    const intent = this.options.intended?.(record);
    if (intent) await intent;
    const start = this.options.now();
    try {
      await run();
      return completed(record, 'applied', this.options.now() - start);
    } catch (error) {
      const elapsed = this.options.now() - start;
      this.noteFailure(change, error);
      const retried = this.options.retriesConflicts === true && replans(error);
      const outcome: Outcome = retried ? 'conflict-retried' : 'failed';
      return completed(record, outcome, elapsed, errorMessage(error));
    }
  }

  /** A refusal fails the change's instances; anything else stops the plan. */
  private noteFailure(change: Change, error: unknown): void {
    const owners = instancesOf(change);
    if (failureClass(error) !== 'refused' || owners.length === 0) {
      this.stop ??= error;
      return;
    }
    for (const name of owners) if (!this.refused.has(name)) this.refused.set(name, errorMessage(error));
    if (isPortChange(change)) this.portsRefused = true;
  }

  /** The record of one change of a step, or none when this try's rest is left to the next. */
  private change(
    change: Change,
    run: (record: AuditRecord) => Promise<unknown>,
  ): Promise<AuditRecord> | AuditRecord | undefined {
    if (this.replanning) return undefined;
    const record = this.options.record(change);
    if (!isWrite(change)) return record;
    const why = this.holdBack(change);
    if (why) return notAttempted(record, why);
    return this.attempt(change, record, () => run(record));
  }

  async step(step: Step): Promise<readonly AuditRecord[]> {
    if ('ports' in step) {
      const { name } = step.ports.ref;
      const record = await this.change(step.ports, async () => {
        const version = this.versions.has(name) ? this.versions.get(name) : step.ports.readVersion;
        this.versions.set(name, await writePorts(this.cluster, step.ports, version));
      });
      return record ? [record] : [];
    }
    const records = await eachBounded(step.objects, this.options.writesInFlight, (change) =>
      this.change(change, (record) => write(this.cluster, change, record)),
    );
    return records.filter((r): r is AuditRecord => r !== undefined);
  }
}

/**
 * Writes a change of our ports. On the egress gateway Service, a server-side apply of our ports under our field
 * manager. A Service of ours (a later block of the range) is written whole like our other objects, each write carrying
 * the version read: created if it was not there (409 if another reconcile created it first), replaced, or deleted with
 * its last port. Returns the Service's new resourceVersion.
 */
async function writePorts(
  cluster: ClusterStore,
  change: ServicePortsChange,
  version: string | undefined,
): Promise<string | undefined> {
  const body = applyBodyOf(change, version);
  if (!change.own) return cluster.applyServicePorts(body);
  if (change.action === 'delete') {
    await cluster.delete(body);
    return undefined;
  }
  const written = version === undefined ? await cluster.create(body) : await cluster.replace(body);
  return written.metadata.resourceVersion;
}

/**
 * Applies the changes step by step. One apply of our ports carries the Service's resourceVersion as the plan's
 * previous apply to it left it, or as the plan read it for the first: a writer that changed the Service in between
 * makes it fail (409), and the reconcile plans again from a fresh read, so two reconciles never both hand out a port
 * they each saw as free.
 */
export async function applyPlan(
  cluster: ClusterStore,
  changes: readonly Change[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  const apply = new PlanApply(cluster, options);
  for (const step of steps(changes)) {
    const records = await apply.step(step);
    if (records.length > 0) await options.recorded(records);
  }
  return apply.stop !== undefined ? { error: apply.stop, refused: apply.refused } : { refused: apply.refused };
}
