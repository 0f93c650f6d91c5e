import pLimit from 'p-limit';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { isAudited, type AuditRecord } from './audit-record.js';

/** Where audit records go besides the log: the Pub/Sub audit topic in production. */
export interface AuditPublisher {
  publish(record: AuditRecord): Promise<void>;
}

/** Errors whose failed writes are already in the audit trail, so no second record of the same failure is made. */
const recordedErrors = new WeakSet<object>();
export const markRecorded = (error: unknown): void => void (typeof error === 'object' && error !== null && recordedErrors.add(error));
export const wasRecorded = (error: unknown): boolean => typeof error === 'object' && error !== null && recordedErrors.has(error);

export class AuditDeliveryError extends Error {
  override readonly name = 'AuditDeliveryError';
}

/** Publishes awaited at once: the client batches them, and a resync of thousands must not queue them all at once. */
const PUBLISHES_IN_FLIGHT = 64;

const SEVERITY = { failed: 'ERROR', conflict: 'WARNING' } as const;

/**
 * Writes each audit record as one structured log line, and publishes it when a publisher is configured. A publish
 * failure is never silent: the record is logged with the failure, and when delivery is required the invocation fails.
 */
export class AuditWriter {
  constructor(
    private readonly log: Logger,
    private readonly publisher?: AuditPublisher,
    private readonly required = false,
  ) {}

  async write(records: readonly AuditRecord[]): Promise<void> {
    const audited = records.filter(isAudited);
    const limit = pLimit(PUBLISHES_IN_FLIGHT);
    const failures = await Promise.all(audited.map((record) => limit(() => this.deliver(record))));
    const failed = failures.filter((f): f is string => f !== undefined);
    if (failed.length > 0 && this.required) {
      throw new AuditDeliveryError(`${failed.length} audit record(s) could not be published (AUDIT_REQUIRED=true): ${failed[0]}`);
    }
  }

  private async deliver(record: AuditRecord): Promise<string | undefined> {
    let deliveryError: string | undefined;
    if (this.publisher) {
      try {
        await this.publisher.publish(record);
      } catch (error) {
        deliveryError = errorMessage(error);
      }
    }
    const severity = deliveryError ? 'ERROR' : (SEVERITY[record.outcome as keyof typeof SEVERITY] ?? 'NOTICE');
    const labels = { action: record.action, instance: record.instance?.name ?? '', kind: record.object.kind };
    this.log.log(severity, { record, ...(deliveryError ? { audit_delivery_error: deliveryError } : {}) }, 'audit record', labels);
    return deliveryError;
  }
}
