import type { CloudEvent } from '@google-cloud/functions-framework';
import { errorMessage } from '../errors.js';
import { traceContextOf, type Logger } from '../log.js';
import type { ClustersReport } from '../clusters/merge-reports.js';
import { reconcileEvent } from '../clusters/event-clusters.js';
import type { Runtime } from './runtime.js';

/**
 * `syncOnAuditLog`. Returning acknowledges the event (also when it is ignored, with the reason logged, since
 * retrying cannot fix it); throwing makes Pub/Sub redeliver it with backoff.
 */
export async function handleAuditEvent(runtime: Runtime, event: CloudEvent<unknown>): Promise<void> {
  const log = runtime.log.with(
    traceContextOf(
      typeof event['traceparent'] === 'string' ? event['traceparent'] : undefined,
      runtime.settings.process.project,
    ),
  );
  const fields = { event_id: event.id, event_type: event.type };
  try {
    const outcome = await reconcileEvent(
      runtime.settings,
      async (target) => runtime.deps(log, target),
      { id: event.id, type: event.type, ...(event.time ? { time: event.time } : {}), data: event.data },
      {
        ...(runtime.inStep ? { marks: runtime.inStep } : {}),
        readInstance: async (name) => (await runtime.instances()).get(name),
      },
    );
    // Published before the event is acknowledged: if this fails, the whole event is redelivered and nothing is lost.
    if ('retry' in outcome && outcome.retry) {
      const messageId = await runtime.republish(outcome.retry.message);
      log.warn(
        { ...fields, clusters: outcome.retry.clusters, reason: outcome.retry.reason, retry_message_id: messageId },
        'event published again for the clusters that did not take it; the others are done',
      );
    }
    // The reason is logged once, as a field: it may quote (capped) event content, which the message never repeats.
    if ('failed' in outcome)
      log.error(
        { ...fields, reason: outcome.reason, summary: outcome.report.summary },
        'event failed permanently; acknowledged, since a retry would fail alike',
      );
    else if (!outcome.handled) log.info({ ...fields, reason: outcome.reason }, 'event acknowledged without action');
    else logReconciled(log, fields, outcome.report);
  } catch (error) {
    log.error({ ...fields, error: errorMessage(error) }, 'event failed; it will be retried');
    throw error;
  }
}

/** What an event did, and which clusters it skipped because an earlier delivery of it brought them in step. */
function logReconciled(log: Logger, fields: Record<string, unknown>, report: ClustersReport): void {
  const skipped = report.clusters.filter((c) => c.skipped).map((c) => c.cluster);
  log.info(
    {
      ...fields,
      summary: report.summary,
      errors: report.errors,
      clusters: report.clusters.filter((c) => !c.skipped).map((c) => c.cluster),
      ...(skipped.length > 0 ? { skipped_in_step: skipped } : {}),
    },
    skipped.length > 0
      ? 'event reconciled; clusters an earlier delivery brought in step were skipped'
      : 'event reconciled',
  );
}
