import { recordOf, type AuditRecord, type Trigger } from '../audit/audit-record.js';
import { errorMessage, WriteConflictError } from '../errors.js';
import type { RedisInstance } from '../model/instance.js';
import { isOwned, refKey, refOf, type KubeObject } from '../model/k8s-object.js';
import { desiredState, type InstanceObservation } from '../plan/desired-state.js';
import { planChanges } from '../plan/plan-changes.js';
import type { Change, InstanceError, Plan } from '../plan/plan-types.js';
import type { GatewayServiceState } from '../plan/service-ports.js';
import { applyPlan } from './apply-plan.js';
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
}

const MAX_ATTEMPTS = 3;

export function summarize(records: readonly AuditRecord[]): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const r of records) summary[r.action] = (summary[r.action] ?? 0) + 1;
  return summary;
}

async function readCluster(deps: SyncDeps): Promise<{ owned: KubeObject[]; service?: GatewayServiceState }> {
  const { config, cluster } = deps;
  const readService = (): Promise<GatewayServiceState> => cluster.readGatewayService(config.egressGateway.namespace, config.egressGateway.service);
  if (config.mode === 'egress-gateway') {
    // The Service first, then our objects: a port another reconcile has just added then always comes with the
    // ServiceEntry it wrote before it (make before break), so the port's owner is known.
    const service = await readService();
    return { owned: await cluster.listOwned(config.istioNamespace, config.ownerId), service };
  }
  // Direct mode needs the Service only to free ports left by an earlier egress-gateway deployment.
  const owned = await cluster.listOwned(config.istioNamespace, config.ownerId);
  return owned.some((o) => o.kind === 'Gateway') ? { owned, service: await readService() } : { owned };
}

/** Desired objects whose name is not among ours: the live object of that name, if any, is foreign. */
async function readForeign(deps: SyncDeps, desired: readonly KubeObject[], owned: readonly KubeObject[]): Promise<Map<string, KubeObject>> {
  const ownedKeys = new Set(owned.map((o) => refKey(refOf(o))));
  const candidates = desired.filter((d) => !ownedKeys.has(refKey(refOf(d))));
  const found = await Promise.all(candidates.map((d) => deps.cluster.get(refOf(d))));
  return new Map(found.filter((o): o is KubeObject => o !== undefined && !isOwned(o, deps.config.ownerId)).map((o) => [refKey(refOf(o)), o]));
}

async function attempt(deps: SyncDeps, scope: readonly InstanceObservation[], trigger: Trigger, options: SyncOptions): Promise<SyncResult> {
  const { config } = deps;
  const { owned, service } = await readCluster(deps);
  const state = desiredState({ scope, owned, ...(service ? { gatewayService: service } : {}), settings: config });
  const plan = planChanges(state, owned, await readForeign(deps, state.desired, owned), service);
  const instances = new Map(scope.flatMap((o) => (o.instance ? [[o.name.full, o.instance] as [string, RedisInstance]] : [])));
  const time = deps.clock.now();
  const context = { time, trigger, dryRun: options.dryRun, instances, ...(options.triggeringInstance ? { defaultInstance: options.triggeringInstance } : {}) };
  const planned = plan.changes.map((change) => recordOf(change, { ...context, id: deps.newId() }));
  const refused = options.guard?.(plan, owned);
  if (options.dryRun || refused) return withoutWrites(deps, plan, planned, { dryRun: options.dryRun, refused });
  const applied = await applyPlan(deps.cluster, plan.changes, planned, () => deps.clock.monotonicMs());
  await deps.audit.write(applied.records);
  if (applied.error !== undefined) throw applied.error instanceof Error ? applied.error : new Error(errorMessage(applied.error));
  return { report: { dry_run: false, records: applied.records, errors: plan.errors, summary: summarize(applied.records) }, changes: plan.changes };
}

/** A dry run, or a plan refused by the guard: nothing is written to the cluster. */
async function withoutWrites(deps: SyncDeps, plan: Plan, planned: AuditRecord[], outcome: { dryRun: boolean; refused: string | undefined }): Promise<SyncResult> {
  // A dry run is recorded (dry_run: true) so a plan shown to an operator can be found again; a refused one is not.
  if (outcome.dryRun && !outcome.refused) await deps.audit.write(planned);
  const refused = outcome.refused ? { refused: outcome.refused } : {};
  return { report: { dry_run: outcome.dryRun, records: planned, errors: plan.errors, ...refused, summary: summarize(planned) }, changes: plan.changes };
}

/**
 * Reads the cluster, plans and applies for the instances in scope. Another writer changing one of our objects between
 * read and write (HTTP 409) is met by reading again and planning again, a few times, before the error goes up.
 */
export async function syncInstances(deps: SyncDeps, scope: readonly InstanceObservation[], trigger: Trigger, options: SyncOptions): Promise<SyncResult> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(deps, scope, trigger, options);
    } catch (error) {
      if (!(error instanceof WriteConflictError) || tries >= MAX_ATTEMPTS) throw error;
      deps.log.warn({ error: error.message, attempt: tries }, 'write conflict; reading the cluster again');
    }
  }
}
