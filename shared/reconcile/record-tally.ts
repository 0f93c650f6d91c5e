import type { AuditRecord } from '../audit/audit-record.js';

/** Records a report lists at most; every record is in the log and on the audit topic regardless. */
export const MAX_REPORT_RECORDS = 1000;

/**
 * What a sync keeps of its audit records once they are in the audit trail: counts by action, the instances whose
 * objects were written, and the first MAX_REPORT_RECORDS records. A resync of thousands of instances then holds a
 * bounded number of records, however many it writes.
 */
export class RecordTally {
  readonly kept: AuditRecord[] = [];
  omitted = 0;
  readonly counts: Record<string, number> = {};
  /** Instances with at least one applied write. */
  readonly written = new Set<string>();

  constructor(unchanged = 0) {
    if (unchanged > 0) this.counts['unchanged'] = unchanged;
  }

  add(records: readonly AuditRecord[]): void {
    for (const record of records) {
      this.counts[record.action] = (this.counts[record.action] ?? 0) + 1;
      if (record.outcome === 'applied' && record.instance) this.written.add(record.instance.name);
      if (this.kept.length < MAX_REPORT_RECORDS) this.kept.push(record);
      else this.omitted++;
    }
  }

  /** Another tally's records and counts, but not its `unchanged`: the same objects are counted once. */
  addWrites(other: RecordTally): void {
    for (const [action, count] of Object.entries(other.counts)) if (action !== 'unchanged') this.counts[action] = (this.counts[action] ?? 0) + count;
    for (const name of other.written) this.written.add(name);
    const room = MAX_REPORT_RECORDS - this.kept.length;
    this.kept.push(...other.kept.slice(0, Math.max(0, room)));
    this.omitted += other.omitted + Math.max(0, other.kept.length - Math.max(0, room));
  }
}
