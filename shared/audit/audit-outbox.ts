import type { AuditRecord } from './audit-record.js';

/**
 * Audit records whose publish failed, kept where a later invocation finds them (a ConfigMap of this deployment in
 * production), so the audit topic and BigQuery still get every attempted change once publishing works again. The
 * change itself is already made and recorded in the log; what is kept is the record's way to the topic.
 */
export interface AuditOutbox {
  /** Adds records to the outbox; says what it could not keep. Throws if none could be kept. */
  stash(records: readonly AuditRecord[]): Promise<StashResult>;
  /** The records kept, with the version they were read at; undefined when the outbox is empty. */
  take(): Promise<OutboxContents | undefined>;
  /** After publishing `taken`, keeps only `unpublished`; a stash made meanwhile is kept too (it is retried later). */
  keepOnly(taken: OutboxContents, unpublished: readonly AuditRecord[]): Promise<void>;
}

export interface StashResult {
  /** Records too large for the outbox even alone (in parts): they are only in the log. */
  readonly refused: readonly AuditRecord[];
  /** Older records that gave way to fit these (counted on the outbox too). */
  readonly dropped: number;
}

export interface OutboxContents {
  readonly records: readonly AuditRecord[];
  readonly version: string;
  /** Lines that were no record (the start of each): skipped, and gone once the outbox is next written. */
  readonly corrupt: readonly string[];
}

/** The outbox's object name: one per deployment (owner id), as DNS allows (lower case, no `_`). */
export const outboxName = (ownerId: string): string =>
  `memorystore-egress-sync-audit-outbox-${ownerId.toLowerCase().replaceAll('_', '-')}`;
