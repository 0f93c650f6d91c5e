import { recordOf, type AuditRecord, type Trigger } from '../audit/audit-record.js';
import { markRecorded } from '../audit/audit-writer.js';
import { backoffDelay, sleep } from '../backoff.js';
import { errorMessage, WriteConflictError } from '../errors.js';
import type { RedisInstance } from '../model/instance.js';
import { instanceNameOf, refKey, refOf, type KubeObject } from '../model/k8s-object.js';
import { desiredState, type InstanceObservation } from '../plan/desired-state.js';
import { planChanges } from '../plan/plan-changes.js';
import type { Change, InstanceError, Plan } from '../plan/plan-types.js';
import { applyPlan } from './apply-plan.js';
import { foreignHolders, readCluster, type ClusterRead, type ClusterView } from './read-cluster.js';
import type { SyncDeps } from './sync-deps.js';

/** What a reconcile did or, in a dry run, would do: the answer of resync and the plan of a dry run. */
export interface SyncReport {
  readonly dry_run: boolean;
  readonly records: readonly AuditRecord[];
  readonly errors: readonly InstanceError[];
  readonly refused?: string;
  readonly summary: Readonly<Record<string, number>>;
}

/** The report, and the planned changes with their whole objects (for a readable diff on a terminal). */
export interface SyncResult {
  readonly report: SyncReport;
  readonly changes: readonly Change[];
}

export interface SyncOptions {
  readonly dryRun: boolean;
  /** The instance a change of the shared Service is attributed to (the event's instance). */
  readonly triggeringInstance?: string;
  /** Returns a reason to refuse the plan before anything is written (the resync prune guard). */
  readonly guard?: (plan: Plan, owned: readonly KubeObject[]) => string | undefined;
  /** What to read of the cluster; default: the objects of the instances in scope. */
  readonly view?: ClusterView;
  /** A read of that view already made; used for the first try only. */
  readonly read?: ClusterRead;
}

/**
 * Tries of a reconcile whose write met a newer version (HTTP 409). Concurrent reconciles all race for the egress
 * gateway Service's resourceVersion; a jittered backoff between tries spreads them out so each gets its turn.
 */
const MAX_ATTEMPTS = 8;

export function summarize(records: readonly AuditRecord[]): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const r of records) summary[r.action] = (summary[r.action] ?? 0) + 1;
  return summary;
}

/** One try's result; `error` is the write that failed (the records say what was written before it). */
type Attempt = SyncResult & { readonly error?: Error };

async function attempt(deps: SyncDeps, scope: readonly InstanceObservation[], trigger: Trigger, options: SyncOptions & { read: ClusterRead }): Promise<Attempt> {
  const { config } = deps;
  const { owned, service, view } = options.read;
  const quarantine = { now: deps.clock.now(), seconds: config.portQuarantineSeconds };
  const input = { scope, owned, ...(service ? { gatewayService: service } : {}), view: view.kind, quarantine, settings: config };
  const first = desiredState(input);
  const foreign = await foreignHolders(deps, options.read, first.desired);
  // An instance with any clashing name is planned again as blocked: all of its objects are written or none are.
  const clashing = first.desired.filter((d) => foreign.has(refKey(refOf(d))));
  const blocked = new Set(clashing.map((d) => instanceNameOf(d) ?? ''));
  const state = blocked.size > 0 ? desiredState({ ...input, blocked }) : first;
  const plan = planChanges(state, owned, { foreign, ...(service ? { service } : {}), clashing });
  const instances = new Map(scope.flatMap((o) => (o.instance ? [[o.name.full, o.instance] as [string, RedisInstance]] : [])));
  const time = deps.clock.now();
  const context = { time, trigger, dryRun: options.dryRun, instances, ...(options.triggeringInstance ? { defaultInstance: options.triggeringInstance } : {}) };
  const planned = plan.changes.map((change) => recordOf(change, { ...context, id: deps.newId() }));
  const refused = options.guard?.(plan, owned);
  if (options.dryRun || refused) return withoutWrites(deps, plan, planned, { dryRun: options.dryRun, refused });
  const applied = await applyPlan(deps.cluster, plan.changes, planned, () => deps.clock.monotonicMs());
  await deps.audit.write(applied.records);
  const report = { dry_run: false, records: applied.records, errors: plan.errors, summary: summarize(applied.records) };
  if (applied.error === undefined) return { report, changes: plan.changes };
  const error = applied.error instanceof Error ? applied.error : new Error(errorMessage(applied.error));
  markRecorded(error);
  return { report, changes: plan.changes, error };
}

/** A dry run, or a plan refused by the guard: nothing is written to the cluster. */
async function withoutWrites(deps: SyncDeps, plan: Plan, planned: AuditRecord[], outcome: { dryRun: boolean; refused: string | undefined }): Promise<SyncResult> {
  // A dry run is recorded (dry_run: true) so a plan shown to an operator can be found again; a refused one is not.
  if (outcome.dryRun && !outcome.refused) await deps.audit.write(planned);
  const refused = outcome.refused ? { refused: outcome.refused } : {};
  return { report: { dry_run: outcome.dryRun, records: planned, errors: plan.errors, ...refused, summary: summarize(planned) }, changes: plan.changes };
}

/** Records of what the tries before the last one wrote: a caller deciding whether it wrote anything needs them too. */
const writesOf = (result: SyncResult): AuditRecord[] => result.report.records.filter((r) => r.outcome === 'applied');

/** The last try's result, with the writes of the tries before it. */
function withEarlierWrites(last: SyncResult, earlier: readonly AuditRecord[]): SyncResult {
  if (earlier.length === 0) return last;
  const records = [...earlier, ...last.report.records];
  return { ...last, report: { ...last.report, records, summary: summarize(records) } };
}

/**
 * Reads the cluster, plans and applies for the instances in scope. Another writer changing one of our objects between
 * read and write (HTTP 409) is met by reading again and planning again, a few times, before the error goes up.
 */
export async function syncInstances(deps: SyncDeps, scope: readonly InstanceObservation[], trigger: Trigger, options: SyncOptions): Promise<SyncResult> {
  const view: ClusterView = options.view ?? { kind: 'scope', instances: scope.map((o) => o.name) };
  const earlier: AuditRecord[] = [];
  for (let tries = 1; ; tries++) {
    // The first try may plan against a read the caller already made (resync reads the cluster to find its scope).
    const read = tries === 1 && options.read ? options.read : await readCluster(deps, view);
    const result = await attempt(deps, scope, trigger, { ...options, read });
    if (result.error === undefined) return withEarlierWrites(result, earlier);
    if (!(result.error instanceof WriteConflictError) || tries >= MAX_ATTEMPTS) throw result.error;
    earlier.push(...writesOf(result));
    deps.log.warn({ error: result.error.message, attempt: tries }, 'write conflict; reading the cluster again');
    await sleep(backoffDelay(tries));
  }
}
