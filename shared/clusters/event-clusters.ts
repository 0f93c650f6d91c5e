import { isTooOld, parseAuditEvent, type EventTrigger, type IncomingEvent } from '../events/parse-audit-event.js';
import { errorMessage, TransientError } from '../errors.js';
import type { ClusterTarget, Settings } from '../config/settings.js';
import type { InstanceName } from '../products/instance-name.js';
import type { MemorystoreInstance } from '../model/instance.js';
import { outOfScope } from '../plan/scope-policies.js';
import { reconcileInCluster, type ReconciledOrRefused } from '../reconcile/reconcile-event.js';
import { reconcileLocationInCluster } from '../reconcile/reconcile-location.js';
import { reconcileAccessInCluster } from '../reconcile/reconcile-access.js';
import { gkeClusterName } from '../config/clusters.js';
import type { DeclarationSubject } from '../events/declaration-entry.js';
import { servedNamespaces } from '../plan/resolve-access.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { earliestTime, retryMessage, retryPartOf, type RetryMessage, type RetryPart } from './cluster-retry.js';
import type { InStepMarks } from './in-step-marks.js';
import { eachCluster, failedIn, succeededIn, type ClusterResult } from './each-cluster.js';
import { mergeReports, type ClusterOutcome, type ClustersReport } from './merge-reports.js';

/** The clusters an event still has to reach, and the message that retries them alone (EVENT_TOPIC). */
export interface ClustersRetry {
  readonly clusters: readonly string[];
  readonly reason: string;
  readonly message: RetryMessage;
}

export type EventOutcome =
  | { readonly handled: false; readonly reason: string }
  | { readonly handled: true; readonly report: ClustersReport; readonly retry?: ClustersRetry }
  /**
   * A permanent failure in some cluster: acknowledged, since a redelivery would fail alike; logged at ERROR and
   * recorded. `report` holds what the other clusters did.
   */
  | {
      readonly handled: false;
      readonly failed: true;
      readonly reason: string;
      readonly report: ClustersReport;
      readonly retry?: ClustersRetry;
    };

function reportOf(parts: ReadonlyArray<{ cluster: string; value: ReconciledOrRefused }>): EventOutcome {
  const report = mergeReports(
    false,
    parts.map((p): ClusterOutcome =>
      'report' in p.value
        ? { cluster: p.cluster, report: p.value.report }
        : { cluster: p.cluster, failed: { error: p.value.permanent, retryable: false } },
    ),
  );
  const permanent = parts.flatMap((p) =>
    'permanent' in p.value ? [`cluster ${p.cluster}: ${p.value.permanent}`] : [],
  );
  return permanent.length > 0
    ? { handled: false, failed: true, reason: permanent.join('; '), report }
    : { handled: true, report };
}

/**
 * What the clusters' parts come to. A transient failure (a cluster down, or past its deadline) is retried for that
 * cluster alone when the others are done and EVENT_TOPIC is set: the event is acknowledged with their changes and
 * published again naming the clusters still to do. Otherwise (nothing done, nowhere to publish) it is thrown, so
 * Pub/Sub redelivers the event with its backoff; clusters already in step then find nothing to write. With one
 * cluster, its own error is thrown as it was.
 */
function outcomeOf(
  settings: Settings,
  event: IncomingEvent,
  results: readonly ClusterResult<ReconciledOrRefused>[],
): EventOutcome {
  const thrown = failedIn(results);
  if (thrown.length === 1 && settings.clusters.length === 1) throw thrown[0]!.error;
  const done = succeededIn(results);
  if (thrown.length === 0) return reportOf(done);
  const failures = thrown.map((f) => `cluster ${f.cluster}: ${errorMessage(f.error)}`).join('; ');
  const pending = thrown.map((f) => f.cluster);
  const message = settings.process.eventTopic ? retryMessage(event, pending) : undefined;
  // Published again only when the clusters still to do are fewer than this delivery had: a retry never begets one
  // of the same size, so republishing cannot loop; a retry that gets nowhere is redelivered with backoff instead.
  if (done.length === 0 || !message) {
    const reconciled = done.map((r) => r.cluster);
    throw new TransientError(
      `${failures}; retrying${reconciled.length > 0 ? ` (reconciled in ${reconciled.join(', ')})` : ''}`,
      { cause: thrown[0]!.error },
    );
  }
  return { ...reportOf(done), retry: { clusters: pending, reason: failures, message } };
}

/**
 * Why an event that names an instance (or only a location) is acknowledged without action: too old, out of scope,
 * or for no cluster.
 */
function notOursReason(
  settings: Settings,
  instance: Pick<InstanceName, 'product' | 'project' | 'location'>,
  { time, retry }: { time: string | undefined; retry: RetryPart | undefined },
  now: Date,
): string | undefined {
  // A retry's age counts from its first delivery: it stops when a redelivery of that event would have.
  const firstTime = earliestTime(time, retry?.time);
  if (isTooOld(firstTime, now, settings.process.eventMaxAgeSeconds))
    return `event of ${firstTime} is older than EVENT_MAX_AGE_SECONDS; the scheduled resync will repair`;
  const scopeReason = outOfScope(instance, settings.process);
  if (scopeReason) return scopeReason;
  if (retry && !settings.clusters.some((c) => retry.clusters.includes(c.name)))
    return `published again for clusters ${retry.clusters.join(', ') || '(none)'}, none of which is configured`;
  return undefined;
}

/**
 * The event path. Returning acknowledges the event; throwing makes Pub/Sub redeliver it, which is what a transient
 * failure or an instance that has no endpoint yet needs. Whatever the event says, the instance's real state is read
 * from the Memorystore API: duplicate, late and out-of-order events then do no harm. Every cluster is reconciled,
 * each on its own and within CLUSTER_DEADLINE_SECONDS: one that is down or stuck never keeps the others from their
 * change. An event published again for some clusters (see cluster-retry) reaches those only, under its first id.
 */
/**
 * The clusters an entry about a declaration concerns (SYNC_CLUSTERS entries with that `gke` name), or why none does:
 * open mode, a namespace outside SERVICE_ENTRY_EXPORT_TO, a cluster this deployment does not sync, or too old.
 */
function declarationTargets(
  settings: Settings,
  declaration: DeclarationSubject,
  { time, retry }: { time: string | undefined; retry: RetryPart | undefined },
  now: Date,
): ClusterTarget[] | string {
  const where = `${declaration.namespace}/${declaration.name}`;
  if (settings.process.access.mode !== 'declared') return `MemorystoreAccess ${where} changed, but ACCESS_MODE is open`;
  const firstTime = earliestTime(time, retry?.time);
  if (isTooOld(firstTime, now, settings.process.eventMaxAgeSeconds))
    return `event of ${firstTime} is older than EVENT_MAX_AGE_SECONDS; the scheduled resync will repair`;
  const { project, location, cluster } = declaration.cluster;
  const gke = gkeClusterName(project, location, cluster);
  const targets = settings.clusters.filter((c) => c.gke === gke && (!retry || retry.clusters.includes(c.name)));
  if (targets.length === 0) return `MemorystoreAccess ${where} is in cluster ${gke}, which SYNC_CLUSTERS does not name`;
  if (targets.every((t) => servedNamespaces(t.exportTo, t.istioNamespace)?.has(declaration.namespace) === false))
    return `MemorystoreAccess ${where} is in a namespace SERVICE_ENTRY_EXPORT_TO does not serve: ignored`;
  return targets;
}

async function reconcileDeclaration(
  settings: Settings,
  getDeps: (target: ClusterTarget) => Promise<SyncDeps>,
  {
    event,
    decision,
    now,
    marks,
  }: {
    event: IncomingEvent;
    decision: { declaration: DeclarationSubject; trigger: EventTrigger };
    now: Date;
    marks: InStepMarks | undefined;
  },
): Promise<EventOutcome> {
  const retry = retryPartOf(event);
  const targets = declarationTargets(settings, decision.declaration, { time: event.time, retry }, now);
  if (typeof targets === 'string') return { handled: false, reason: targets };
  const trigger = retry ? { ...decision.trigger, eventId: retry.eventId } : decision.trigger;
  return eachClusterOnce(settings, { event, targets, eventId: trigger.eventId, marks }, async (target) =>
    reconcileAccessInCluster(await getDeps(target), decision.declaration.namespace, trigger),
  );
}

/** When the event is handled (default: now), and the clusters recent deliveries brought in step (see InStepMarks). */
export interface EventRun {
  readonly now?: Date;
  readonly marks?: InStepMarks;
  /**
   * Reads an instance from the Memorystore API before any cluster's clients are made: the event's one read is then
   * under way while they load, and every cluster plans against it (each reads the instance again after its writes).
   * Unset: each cluster reads it once its clients are ready.
   */
  readonly readInstance?: (name: string) => Promise<MemorystoreInstance | undefined>;
}

/**
 * The event's first read of its instance, started by the first cluster that works on the event (none when a
 * redelivery finds every cluster in step), before that cluster's clients load. A failure is seen by every cluster that
 * awaits it; marked handled here, so that one a cluster never awaits (its clients failed first) is not an unhandled
 * rejection.
 */
function firstRead(
  run: EventRun,
  name: InstanceName,
): (() => Promise<MemorystoreInstance | undefined> | undefined) | undefined {
  const { readInstance } = run;
  if (!readInstance) return undefined;
  let read: Promise<MemorystoreInstance | undefined> | undefined;
  return () => {
    if (!read) {
      read = readInstance(name.full);
      read.catch(() => undefined);
    }
    return read;
  };
}

const runOf = (run: Date | EventRun): EventRun => (run instanceof Date ? { now: run } : run);

export async function reconcileEvent(
  settings: Settings,
  getDeps: (target: ClusterTarget) => Promise<SyncDeps>,
  event: IncomingEvent,
  run: Date | EventRun = {},
): Promise<EventOutcome> {
  const options = runOf(run);
  const { now = new Date(), marks } = options;
  const decision = parseAuditEvent(event);
  if (decision.action === 'ignore') return { handled: false, reason: decision.reason };
  if (decision.action === 'reconcile-access')
    return reconcileDeclaration(settings, getDeps, { event, decision, now, marks });
  const retry = retryPartOf(event);
  const subject = decision.action === 'reconcile' ? decision.instance : decision.location;
  const reason = notOursReason(settings, subject, { time: event.time, retry }, now);
  if (reason) return { handled: false, reason };
  const targets = retry ? settings.clusters.filter((c) => retry.clusters.includes(c.name)) : settings.clusters;
  const trigger = retry ? { ...decision.trigger, eventId: retry.eventId } : decision.trigger;
  // Clients are only needed once the event is known to be ours. An entry that names only a product and a location
  // reconciles that product's instances there.
  const latest = decision.action === 'reconcile' ? firstRead(options, decision.instance) : undefined;
  return eachClusterOnce(settings, { event, targets, eventId: trigger.eventId, marks }, async (target) => {
    if (decision.action !== 'reconcile')
      return reconcileLocationInCluster(await getDeps(target), decision.location, trigger);
    const read = latest?.();
    return reconcileInCluster(await getDeps(target), decision.instance, trigger, read);
  });
}

/**
 * Reconciles the event in the targets but those an earlier delivery of it already brought in step (`marks`), and
 * marks those it brings in step now. Only the event's own id skips a cluster: an instance that changed again sends
 * another event, with another id, which reconciles every cluster.
 */
async function eachClusterOnce(
  settings: Settings,
  run: { event: IncomingEvent; targets: readonly ClusterTarget[]; eventId: string; marks: InStepMarks | undefined },
  work: (target: ClusterTarget) => Promise<ReconciledOrRefused>,
): Promise<EventOutcome> {
  const { event, eventId, marks } = run;
  const inStep = marks?.inStep(eventId) ?? new Set<string>();
  const skipped = run.targets.filter((t) => inStep.has(t.name)).map((t) => t.name);
  const why = `brought in step by an earlier delivery of event ${eventId}`;
  if (skipped.length === run.targets.length) return { handled: false, reason: `every cluster was ${why}` };
  const results = await eachCluster(
    run.targets.filter((t) => !inStep.has(t.name)),
    async (target) => {
      const result = await work(target);
      if ('report' in result) marks?.mark(eventId, target.name);
      return result;
    },
    { deadlineMs: settings.process.clusterDeadlineSeconds * 1000 },
  );
  const outcome = outcomeOf(settings, event, results);
  if (skipped.length === 0 || !('report' in outcome)) return outcome;
  const parts = skipped.map((cluster) => ({ cluster, summary: {}, skipped: why }));
  return { ...outcome, report: { ...outcome.report, clusters: [...outcome.report.clusters, ...parts] } };
}
