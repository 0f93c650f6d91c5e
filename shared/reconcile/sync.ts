import { recordOf, type AuditRecord, type Trigger } from '../audit/audit-record.js';
import { backoffDelay, sleep } from '../backoff.js';
import { errorMessage, recordedFailure, replans } from '../errors.js';
import type { MemorystoreInstance } from '../model/instance.js';
import type { KubeObject } from '../model/k8s-object.js';
import type { InstanceObservation, SyncInput } from '../plan/desired-state.js';
import { planWithClashes, wantedState } from '../plan/plan-with-clashes.js';
import { planSettingsOf } from '../plan/plan-settings.js';
import { mergedPortServices } from '../plan/port-services.js';
import type { Change, InstanceError, Plan } from '../plan/plan-types.js';
import { applyPlan } from './apply-plan.js';
import {
  accessRecorder,
  accessRefusal,
  planAccess,
  recordedBy,
  type AccessGuard,
  type AccessPlan,
} from './access-step.js';
import { RecordTally } from './record-tally.js';
import {
  foreignHolders,
  readCluster,
  readPortServices,
  viewOf,
  type ClusterRead,
  type ReadScope,
} from './read-cluster.js';
import type { SyncDeps } from './sync-deps.js';

/** What a reconcile did or, in a dry run, would do: the answer of resync and the plan of a dry run. */
export interface SyncReport {
  readonly dry_run: boolean;
  /** The first MAX_REPORT_RECORDS records of writes, conflicts and skips; the rest are counted in records_omitted. */
  readonly records: readonly AuditRecord[];
  readonly records_omitted?: number;
  readonly errors: readonly InstanceError[];
  readonly refused?: string;
  readonly summary: Readonly<Record<string, number>>;
}

/** The report, and the planned changes with their whole objects (for a readable diff on a terminal). */
export interface SyncResult {
  readonly report: SyncReport;
  readonly changes: readonly Change[];
}

/** A sync as it runs: its records are tallied as they reach the audit trail. */
export interface SyncRun {
  readonly dryRun: boolean;
  readonly tally: RecordTally;
  readonly errors: readonly InstanceError[];
  readonly changes: readonly Change[];
  readonly refused?: string;
}

export function reportOf(run: SyncRun): SyncReport {
  const { tally } = run;
  return {
    dry_run: run.dryRun,
    records: tally.kept,
    ...(tally.omitted > 0 ? { records_omitted: tally.omitted } : {}),
    errors: run.errors,
    ...(run.refused ? { refused: run.refused } : {}),
    summary: { ...tally.counts },
  };
}

export interface SyncOptions {
  readonly dryRun: boolean;
  /** Returns a reason to refuse the plan before anything is written (the resync prune guard). */
  readonly guard?: (plan: Plan, owned: readonly KubeObject[]) => string | undefined;
  /** Returns a reason to refuse a plan that revokes too much access (ACCESS_MODE=declared; the resync revoke guard). */
  readonly accessGuard?: AccessGuard;
  /** What to read of the cluster; default: the objects of the instances in scope. */
  readonly view?: ReadScope;
  /** A read of that view already made; used for the first try only. */
  readonly read?: ClusterRead;
  /** Tries before a conflict goes up as the error (default 8, a few seconds of backoff). */
  readonly conflictTries?: number;
}

/**
 * Tries of a reconcile whose write met a newer version (HTTP 409). Concurrent reconciles all race for the egress
 * gateway Service's resourceVersion; a jittered backoff between tries spreads them out so each gets its turn.
 */
const CONFLICT_TRIES = 8;

/** Records made at once for a plan that writes nothing (a dry run, a refused plan), then handed on and dropped. */
const RECORD_CHUNK = 500;

/** One try; `error` is the write that failed (the tally says what was written before it). */
type Attempt = SyncRun & { readonly error?: Error };

async function planAgainst(
  deps: SyncDeps,
  scope: readonly InstanceObservation[],
  read: ClusterRead,
  access: AccessPlan | undefined,
): Promise<Plan> {
  const { settings } = deps;
  const { owned, view } = read;
  const quarantine = { now: deps.clock.now(), seconds: settings.process.portQuarantineSeconds };
  const inputWith = (services: ClusterRead['services'], portBlocksRead?: readonly number[]): SyncInput => {
    const service = services && mergedPortServices(services);
    return {
      scope,
      owned,
      ...(service && services ? { gatewayService: service, portServices: services } : {}),
      ...(portBlocksRead ? { portBlocksRead } : {}),
      view: view.kind,
      quarantine,
      settings: planSettingsOf(settings),
      ...(access ? { access: access.access } : {}),
    };
  };
  let wanted = wantedState(inputWith(read.services, read.portBlocks));
  // Refused for want of a port in the blocks an event read: another block may have room. Read them all and see.
  if (read.portBlocks && wanted.state.refused.size > 0) wanted = wantedState(inputWith(await readPortServices(deps)));
  const foreign = await foreignHolders(deps, read, wanted.state.desired);
  return planWithClashes(wanted, foreign);
}

async function attempt(
  deps: SyncDeps,
  scope: readonly InstanceObservation[],
  trigger: Trigger,
  options: SyncOptions & { read: ClusterRead; lastTry: boolean },
): Promise<Attempt> {
  const access = planAccess(deps, scope, options.read, trigger);
  const plan = await planAgainst(deps, scope, options.read, access);
  const instances = new Map(
    scope.flatMap((o) => (o.instance ? [[o.name.full, o.instance] as [string, MemorystoreInstance]] : [])),
  );
  const time = deps.clock.now();
  const context = {
    time,
    trigger,
    dryRun: options.dryRun,
    instances,
    ...(deps.clusterName ? { cluster: deps.clusterName } : {}),
  };
  // An object already as it should be is counted, not recorded. Records are made as their step is reached and
  // dropped once in the audit trail: at thousands of instances they would otherwise be most of the memory.
  const notable = plan.changes.filter((change) => change.action !== 'unchanged');
  const tally = new RecordTally(plan.changes.length - notable.length);
  const record = (change: Change): AuditRecord => recordOf(change, { ...context, id: deps.newId() });
  const run = { dryRun: options.dryRun, tally, errors: plan.errors, changes: plan.changes };
  const refused = options.guard?.(plan, options.read.owned) ?? accessRefusal(access, options.read, options.accessGuard);
  const recordAccess = accessRecorder(deps, access, context);
  if (options.dryRun || refused) {
    // Who would gain or lose access is part of the plan shown; a refused plan's are counted, not recorded.
    await recordAccess('planned', recordedBy(deps, tally, !refused), leftAsTheyAre(plan));
    return withoutWrites(deps, { ...run, ...(refused ? { refused } : {}) }, notable, record);
  }
  const recorded = async (records: readonly AuditRecord[]): Promise<void> => {
    await deps.audit.write(records);
    tally.add(records);
  };
  const applied = await applyPlan(deps.cluster, notable, {
    record,
    recorded,
    now: () => deps.clock.monotonicMs(),
    intended: (r) => deps.audit.intend(r),
    retriesConflicts: !options.lastTry,
    writesInFlight: deps.settings.process.writesInFlight,
  });
  // An instance the apiserver refused is reported failed; its records are in the trail already.
  const failed = [...applied.refused].map(([instance, message]): InstanceError => ({
    instance,
    message,
    retryable: false,
    refusedWrite: true,
  }));
  const withRefused = failed.length > 0 ? { ...run, errors: [...run.errors, ...failed] } : run;
  if (applied.error === undefined) {
    await recordAccess('applied', recorded, new Set([...leftAsTheyAre(plan), ...applied.refused.keys()]));
    return withRefused;
  }
  const error = applied.error instanceof Error ? applied.error : new Error(errorMessage(applied.error));
  return { ...withRefused, error: recordedFailure(error) };
}

/**
 * Instances whose objects the plan leaves as they are (settling, blocked by a foreign object, refused for a full port
 * range, data in error): their rendered access was not written, so no access change of theirs is recorded.
 */
function leftAsTheyAre(plan: Plan): Set<string> {
  const left = new Set(plan.errors.map((e) => e.instance));
  for (const change of plan.changes)
    if (change.target === 'object' && change.action === 'skipped' && change.instance) left.add(change.instance);
  return left;
}

/**
 * A dry run, or a plan refused by the guard: nothing is written to the cluster. A dry run is recorded (dry_run: true)
 * so a plan shown to an operator can be found again; a refused one is not.
 */
async function withoutWrites(
  deps: SyncDeps,
  run: SyncRun,
  changes: readonly Change[],
  record: (change: Change) => AuditRecord,
): Promise<SyncRun> {
  for (let from = 0; from < changes.length; from += RECORD_CHUNK) {
    const records = changes.slice(from, from + RECORD_CHUNK).map(record);
    if (!run.refused) await deps.audit.write(records);
    run.tally.add(records);
  }
  return run;
}

/**
 * Reads the cluster, plans and applies for the instances in scope. Another writer changing one of our objects between
 * read and write (HTTP 409) is met by reading again and planning again, a few times, before the error goes up. The
 * run's tally holds the writes of every try: a caller deciding whether anything was written needs them all.
 */
export async function syncInstances(
  deps: SyncDeps,
  scope: readonly InstanceObservation[],
  trigger: Trigger,
  options: SyncOptions,
): Promise<SyncRun> {
  const view: ReadScope = options.view ?? viewOf(scope.map((o) => o.name));
  const earlier = new RecordTally();
  const maxTries = options.conflictTries ?? CONFLICT_TRIES;
  for (let tries = 1; ; tries++) {
    // The first try may plan against a read the caller already made (resync reads the cluster to find its scope).
    const read = tries === 1 && options.read ? options.read : await readCluster(deps, view);
    const result = await attempt(deps, scope, trigger, { ...options, read, lastTry: tries >= maxTries });
    if (result.error === undefined) {
      result.tally.addWrites(earlier);
      return result;
    }
    if (!replans(result.error) || tries >= maxTries) throw result.error;
    earlier.addApplied(result.tally);
    deps.log.warn(
      { error: result.error.message, attempt: tries, trigger: trigger.kind },
      'write conflict; reading the cluster again',
    );
    await sleep(backoffDelay(tries));
  }
}
