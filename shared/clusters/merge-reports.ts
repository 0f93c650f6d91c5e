import { MAX_REPORT_RECORDS } from '../reconcile/record-tally.js';
import type { SyncReport } from '../reconcile/sync.js';

/** What one cluster's sync came to, in the report of an invocation over several. */
export interface ClusterPart {
  readonly cluster: string;
  readonly summary: Readonly<Record<string, number>>;
  readonly refused?: string;
  /** Not reconciled by this delivery of an event: an earlier one brought the cluster in step (why, in words). */
  readonly skipped?: string;
  /** The cluster could not be synced at all (unreachable, refused); the others were. */
  readonly failed?: { readonly error: string; readonly retryable: boolean };
}

/**
 * The report of one invocation over every cluster: the records and errors of all (each naming its cluster), the
 * counts summed, and one part per cluster, so an operator sees at once which cluster did what and which failed.
 */
export interface ClustersReport extends SyncReport {
  readonly errors: ReadonlyArray<SyncReport['errors'][number] & { readonly cluster: string }>;
  readonly clusters: readonly ClusterPart[];
}

export type ClusterOutcome =
  | { readonly cluster: string; readonly report: SyncReport }
  | { readonly cluster: string; readonly failed: { readonly error: string; readonly retryable: boolean } };

function sum(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [key, count] of Object.entries(counts)) into[key] = (into[key] ?? 0) + count;
}

/** Merges the clusters' reports, in the clusters' order; the records listed stay capped at MAX_REPORT_RECORDS. */
export function mergeReports(dryRun: boolean, outcomes: readonly ClusterOutcome[]): ClustersReport {
  const reports = outcomes.flatMap((o) => ('report' in o ? [{ cluster: o.cluster, ...o.report }] : []));
  const all = reports.flatMap((r) => r.records);
  const omitted =
    all.length - Math.min(all.length, MAX_REPORT_RECORDS) + reports.reduce((n, r) => n + (r.records_omitted ?? 0), 0);
  const summary: Record<string, number> = {};
  for (const report of reports) sum(summary, report.summary);
  const refused = reports.filter((r) => r.refused).map((r) => `cluster ${r.cluster}: ${r.refused}`);
  return {
    dry_run: dryRun,
    records: all.slice(0, MAX_REPORT_RECORDS),
    ...(omitted > 0 ? { records_omitted: omitted } : {}),
    errors: reports.flatMap((r) => r.errors.map((e) => ({ ...e, cluster: r.cluster }))),
    ...(refused.length > 0 ? { refused: refused.join('; ') } : {}),
    summary,
    clusters: outcomes.map((o) =>
      'report' in o
        ? { cluster: o.cluster, summary: o.report.summary, ...(o.report.refused ? { refused: o.report.refused } : {}) }
        : { cluster: o.cluster, summary: {}, failed: o.failed },
    ),
  };
}
