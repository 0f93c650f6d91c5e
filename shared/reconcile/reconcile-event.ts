import { isTooOld, parseAuditEvent, type EventTrigger, type IncomingEvent } from '../events/parse-audit-event.js';
import { failureRecord } from '../audit/audit-record.js';
import { wasRecorded } from '../audit/audit-writer.js';
import { errorMessage, isPermanent, TransientError } from '../errors.js';
import type { InstanceName } from '../model/instance.js';
import type { Config } from '../config/parse-config.js';
import { syncUntilSettled, type Reread } from './settle.js';
import type { SyncReport } from './sync.js';
import type { SyncDeps } from './sync-deps.js';

export type EventOutcome =
  | { readonly handled: false; readonly reason: string }
  | { readonly handled: true; readonly report: SyncReport }
  /** A permanent failure: acknowledged, since a redelivery would fail alike; logged at ERROR and recorded. */
  | { readonly handled: false; readonly failed: true; readonly reason: string };

/** Instances of other projects or regions can reach the topic (an organisation sink, say); they are not ours. */
export function outOfScope(instance: InstanceName, config: Pick<Config, 'project' | 'locations' | 'products'>): string | undefined {
  if (!config.products.includes(instance.product)) return `instance is a ${instance.product} instance, and MEMORYSTORE_PRODUCTS is ${config.products.join(',')}`;
  if (instance.project !== config.project) return `instance is in project ${instance.project}, not MEMORYSTORE_PROJECT ${config.project}`;
  if (!config.locations.includes('-') && !config.locations.includes(instance.location)) {
    return `instance is in ${instance.location}, not in MEMORYSTORE_LOCATIONS`;
  }
  return undefined;
}

/** The event's instance as read again: gone when the API no longer has it. */
const rereadOne = (deps: SyncDeps): Reread => async (names) =>
  Promise.all(names.map(async (name) => {
    const instance = await deps.instances.get(name.full);
    return { name, ...(instance ? { instance } : {}) };
  }));

async function syncToLatestState(deps: SyncDeps, name: InstanceName, trigger: EventTrigger): Promise<SyncReport> {
  const instance = await deps.instances.get(name.full);
  const scope = [{ name, ...(instance ? { instance } : {}) }];
  const { report, unsettled } = await syncUntilSettled(deps, scope, trigger, { dryRun: false, triggeringInstance: name.full, reread: rereadOne(deps) });
  // A redelivery reads the instance afresh; acknowledging now could leave the last write a stale one.
  if (unsettled.length > 0) throw new TransientError(`${name.full} kept changing while it was reconciled; retrying until it settles`);
  return report;
}

/**
 * The event path. Returning acknowledges the event; throwing makes Pub/Sub redeliver it, which is what a transient
 * failure or an instance that has no endpoint yet needs. Whatever the event says, the instance's real state is read
 * from the Memorystore API: duplicate, late and out-of-order events then do no harm.
 */
export async function reconcileEvent(config: Config, getDeps: () => Promise<SyncDeps>, event: IncomingEvent, now = new Date()): Promise<EventOutcome> {
  const decision = parseAuditEvent(event);
  if (decision.action === 'ignore') return { handled: false, reason: decision.reason };
  if (isTooOld(event.time, now, config.eventMaxAgeSeconds)) {
    return { handled: false, reason: `event of ${event.time} is older than EVENT_MAX_AGE_SECONDS; the scheduled resync will repair` };
  }
  const scopeReason = outOfScope(decision.instance, config);
  if (scopeReason) return { handled: false, reason: scopeReason };
  // Clients are only needed once the event is known to be ours.
  const deps = await getDeps();
  try {
    const report = await syncToLatestState(deps, decision.instance, decision.trigger);
    const retryable = report.errors.find((e) => e.retryable);
    if (retryable) throw new TransientError(`${retryable.instance}: ${retryable.message}; retrying until it settles`);
    return { handled: true, report };
  } catch (error) {
    if (!isPermanent(error)) throw error;
    // A failed write was recorded with its plan already; a failure before any write gets a record of its own.
    if (!wasRecorded(error)) await deps.audit.write([failureRecord({ id: deps.newId(), time: deps.clock.now(), trigger: decision.trigger }, decision.instance.full, errorMessage(error))]);
    return { handled: false, failed: true, reason: errorMessage(error) };
  }
}
