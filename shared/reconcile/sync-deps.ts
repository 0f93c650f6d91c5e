import type { ClusterStore } from '../adapters/cluster-store.js';
import type { InstanceSource } from '../products/instance-source.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SyncSettings } from '../config/settings.js';
import type { Logger } from '../log.js';

/** Everything a reconcile talks to, passed in so tests can stand in for any of it. */
export interface SyncDeps {
  /** The process's settings and those of the one cluster this sync works on. */
  readonly settings: SyncSettings;
  /** That cluster's name, for audit records and log lines; the runtime always sets it. */
  readonly clusterName?: string;
  readonly instances: InstanceSource;
  readonly cluster: ClusterStore;
  readonly audit: AuditWriter;
  readonly log: Logger;
  readonly clock: { now(): Date; monotonicMs(): number };
  readonly newId: () => string;
}
