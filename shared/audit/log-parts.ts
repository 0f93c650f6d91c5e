import type { AuditRecord } from './audit-record.js';

/**
 * Cloud Logging rejects a log entry over about 256 KB ("Size of a LogEntry", https://cloud.google.com/logging/quotas),
 * and a record's patch can be larger: the egress gateway Service's ports, when thousands of instances get theirs in
 * one resync, are an operation each. Such a record is logged as several lines, each the record with a slice of its
 * patch, so the log loses nothing; the audit topic (and so BigQuery, whose rows may be megabytes) gets it whole.
 * The budget leaves the rest of the record and the log line's own fields far below the limit.
 */
export const LOG_PATCH_BUDGET_BYTES = 128 * 1024;

export interface LogPart {
  readonly record: AuditRecord;
  /** Which slice of the patch this line holds, when the record takes more than one line. */
  readonly part?: { readonly index: number; readonly count: number };
}

/**
 * The record as log lines: one line unless its patch is over the budget, then consecutive slices of whole
 * operations in order (an operation larger than the budget alone gets a line of its own).
 */
export function logParts(record: AuditRecord, budget = LOG_PATCH_BUDGET_BYTES): LogPart[] {
  const slices: AuditRecord['patch'][] = [];
  let slice: AuditRecord['patch'][number][] = [];
  let bytes = 0;
  for (const operation of record.patch) {
    const size = Buffer.byteLength(JSON.stringify(operation));
    if (slice.length > 0 && bytes + size > budget) {
      slices.push(slice);
      slice = [];
      bytes = 0;
    }
    slice.push(operation);
    bytes += size;
  }
  if (slices.length === 0) return [{ record }];
  slices.push(slice);
  return slices.map((patch, i) => ({ record: { ...record, patch }, part: { index: i + 1, count: slices.length } }));
}
