import { isDeepStrictEqual } from 'node:util';
import type { Trigger } from '../audit/audit-record.js';
import type { InstanceName } from '../products/instance-name.js';
import type { InstanceObservation } from '../plan/desired-state.js';
import type { InstanceError } from '../plan/plan-types.js';
import { reportOf, syncInstances, type SyncOptions, type SyncResult } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

/** Syncs of one call, at most: the first, and the ones that follow instances that changed meanwhile. */
const MAX_ROUNDS = 3;

/**
 * The instances' state as read again. An instance left out could not be read (its region is unreachable): unknown,
 * so it is taken as unchanged; one present without `instance` is gone.
 */
export type Reread = (names: readonly InstanceName[]) => Promise<readonly InstanceObservation[]>;

function moved(written: readonly InstanceObservation[], latest: readonly InstanceObservation[]): InstanceObservation[] {
  const before = new Map(written.map((o) => [o.name.full, o.instance]));
  return latest.filter((o) => before.has(o.name.full) && !isDeepStrictEqual(before.get(o.name.full), o.instance));
}

/** An instance's latest round decides its errors: one that was retried and settled has none left. */
function mergedErrors(
  earlier: readonly InstanceError[],
  redone: readonly InstanceObservation[],
  latest: readonly InstanceError[],
): InstanceError[] {
  const redoneNames = new Set(redone.map((o) => o.name.full));
  return [...earlier.filter((e) => !redoneNames.has(e.instance)), ...latest];
}

/**
 * `unsettled`: instances that still moved after the last round's writes; what was written for them may already be
 * stale, so whoever called must see that they are synced again (an event is redelivered).
 */
export type SettledResult = SyncResult & { readonly unsettled: readonly string[] };

/**
 * Syncs the scope, then reads the instances it wrote for again. Writers of one instance's objects (the events of its
 * changes, resyncs) run at once and finish in any order: a sync slowed by a bad minute may write what it read before
 * a later sync, which read newer state, finished. Reading after writing catches that: an instance that moved on is
 * synced again, so the last writer of an instance's objects always wrote its latest state. A dry run writes nothing,
 * so it is never repeated.
 */
export async function syncUntilSettled(
  deps: SyncDeps,
  scope: readonly InstanceObservation[],
  trigger: Trigger,
  options: SyncOptions & { readonly reread: Reread },
): Promise<SettledResult> {
  const { reread, ...syncOptions } = options;
  const first = await syncInstances(deps, scope, trigger, syncOptions);
  const changes = [...first.changes];
  let errors = first.errors;
  let last = first;
  let current = scope;
  for (let round = 2; !first.dryRun && !first.refused; round++) {
    const written = current.filter((o) => last.tally.written.has(o.name.full));
    if (written.length === 0) break;
    current = moved(written, await reread(written.map((o) => o.name)));
    if (current.length === 0) break;
    if (round > MAX_ROUNDS)
      return { report: reportOf({ ...first, errors }), changes, unsettled: current.map((o) => o.name.full) };
    deps.log.info(
      { instances: current.slice(0, 10).map((o) => o.name.full), count: current.length, round },
      'instances changed while they were reconciled; reconciling them again',
    );
    last = await syncInstances(deps, current, trigger, {
      dryRun: false,
      ...(syncOptions.conflictTries ? { conflictTries: syncOptions.conflictTries } : {}),
    });
    // Objects the first round found as they should be are counted once; later rounds add what they wrote.
    first.tally.addWrites(last.tally);
    changes.push(...last.changes);
    errors = mergedErrors(errors, current, last.errors);
  }
  return { report: reportOf({ ...first, errors }), changes, unsettled: [] };
}
