import type { SyncReport } from '../reconcile/sync.js';

/** Records an HTTP answer carries at most; every record is in the log and on the audit topic regardless. */
export const MAX_ANSWER_RECORDS = 1000;

/**
 * The resync's HTTP answer: the summary, the errors, and the records of what was (or would be) written, conflicted or
 * skipped. Unchanged objects are only counted, and past MAX_ANSWER_RECORDS the records are counted, not listed, so a
 * resync of thousands of instances answers in a bounded size and the function's memory stays flat.
 */
export function resyncAnswer(report: SyncReport): SyncReport & { readonly records_omitted?: number } {
  const notable = report.records.filter((r) => r.action !== 'unchanged');
  const omitted = notable.length - Math.min(notable.length, MAX_ANSWER_RECORDS);
  return { ...report, records: notable.slice(0, MAX_ANSWER_RECORDS), ...(omitted > 0 ? { records_omitted: omitted } : {}) };
}
