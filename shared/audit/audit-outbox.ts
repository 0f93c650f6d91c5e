import type { AuditRecord } from './audit-record.js';

/**
 * Audit records whose publish failed, kept where a later invocation finds them (a ConfigMap of this deployment in
 * production), so the audit topic and BigQuery still get every attempted change once publishing works again. The
 * change itself is already made and recorded in the log; what is kept is the record's way to the topic.
 */
export interface AuditOutbox {
  /** Adds records to the outbox. Throws if they could not be kept. */
  stash(records: readonly AuditRecord[]): Promise<void>;
  /** The records kept, with the version they were read at; undefined when the outbox is empty. */
  take(): Promise<OutboxContents | undefined>;
  /** After publishing `taken`, keeps only `unpublished`; a stash made meanwhile is kept too (it is retried later). */
  settle(taken: OutboxContents, unpublished: readonly AuditRecord[]): Promise<void>;
}

export interface OutboxContents {
  readonly records: readonly AuditRecord[];
  readonly version: string;
}

/** The outbox's object name: one per deployment (owner id), as DNS allows (lower case, no `_`). */
export const outboxName = (ownerId: string): string =>
  `memorystore-egress-sync-audit-outbox-${ownerId.toLowerCase().replaceAll('_', '-')}`;
