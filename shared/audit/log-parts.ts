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
  /**
   * A slice of the JSON text of one operation that alone is over the budget (a create whose spec is huge): the
   * operation is the text of consecutive parts joined; the line's `patch` is empty.
   */
  readonly text?: string;
}

type Slice = { readonly patch: AuditRecord['patch'] } | { readonly text: string };

/** An operation's JSON in pieces of at most `budget` bytes (a character is at most 4 bytes in UTF-8). */
function textSlices(json: string, budget: number): Slice[] {
  const width = Math.max(1, Math.floor(budget / 4));
  const slices: Slice[] = [];
  for (let from = 0; from < json.length; from += width) slices.push({ text: json.slice(from, from + width) });
  return slices;
}

/**
 * The record as log lines: one line unless its patch is over the budget, then consecutive slices of whole
 * operations in order; an operation larger than the budget alone is cut into slices of its JSON text.
 */
export function logParts(record: AuditRecord, budget = LOG_PATCH_BUDGET_BYTES): LogPart[] {
  const slices: Slice[] = [];
  let slice: AuditRecord['patch'][number][] = [];
  let bytes = 0;
  const close = (): void => {
    if (slice.length > 0) slices.push({ patch: slice });
    slice = [];
    bytes = 0;
  };
  for (const operation of record.patch) {
    const json = JSON.stringify(operation);
    const size = Buffer.byteLength(json);
    if (size > budget) {
      close();
      slices.push(...textSlices(json, budget));
      continue;
    }
    if (bytes + size > budget) close();
    slice.push(operation);
    bytes += size;
  }
  if (slices.length === 0) return [{ record }];
  close();
  return slices.map((piece, i) => ({
    record: { ...record, patch: 'patch' in piece ? piece.patch : [] },
    part: { index: i + 1, count: slices.length },
    ...('text' in piece ? { text: piece.text } : {}),
  }));
}
