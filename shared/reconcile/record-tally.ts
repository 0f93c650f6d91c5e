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
  /** Counts of the applied records alone. */
  readonly appliedCounts: Record<string, number> = {};
  /** Instances with at least one applied write. */
  readonly written = new Set<string>();

  constructor(unchanged = 0) {
    if (unchanged > 0) this.counts['unchanged'] = unchanged;
  }

  add(records: readonly AuditRecord[]): void {
    for (const record of records) {
      this.counts[record.action] = (this.counts[record.action] ?? 0) + 1;
      if (record.outcome === 'applied') {
        this.appliedCounts[record.action] = (this.appliedCounts[record.action] ?? 0) + 1;
        if (record.instance) this.written.add(record.instance.name);
      }
      if (this.kept.length < MAX_REPORT_RECORDS) this.kept.push(record);
      else this.omitted++;
    }
  }

  /** Another tally's records and counts, but not its `unchanged`: the same objects are counted once. */
  addWrites(other: RecordTally): void {
    this.merge(other, other.counts, other.kept, other.omitted);
  }

  /**
   * Only what another tally applied: a try that ended in a conflict is planned again, and what it did not get to
   * write is counted by the try that writes it.
   */
  addApplied(other: RecordTally): void {
    // Applied records past the other tally's bound were not kept there: they are counted in its counts, not listed.
    this.merge(
      other,
      other.appliedCounts,
      other.kept.filter((r) => r.outcome === 'applied'),
      0,
    );
  }

  private merge(
    other: RecordTally,
    counts: Readonly<Record<string, number>>,
    records: readonly AuditRecord[],
    omitted: number,
  ): void {
    const add = (into: Record<string, number>, from: Readonly<Record<string, number>>): void => {
      for (const [action, count] of Object.entries(from))
        if (action !== 'unchanged') into[action] = (into[action] ?? 0) + count;
    };
    add(this.counts, counts);
    add(this.appliedCounts, other.appliedCounts);
    for (const name of other.written) this.written.add(name);
    const room = Math.max(0, MAX_REPORT_RECORDS - this.kept.length);
    this.kept.push(...records.slice(0, room));
    this.omitted += Math.max(0, records.length - room) + omitted;
  }
}
