import { eachBounded } from '../each-bounded.js';
import { AuditDeliveryError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuditOutbox } from './audit-outbox.js';
import { isAudited, type AuditRecord } from './audit-record.js';
import { logParts } from './log-parts.js';

/** Where audit records go besides the log: the Pub/Sub audit topic in production. */
export interface AuditPublisher {
  publish(record: AuditRecord): Promise<void>;
}

/**
 * Resolves once what was written to stdout is with the kernel (nothing is left in the stream's buffer: a write leaves
 * it only once done), so a crash after that does not lose it. Stdout to a pipe is asynchronous on POSIX
 * (https://nodejs.org/api/process.html#a-note-on-process-io); a line is almost always written at once.
 */
async function stdoutFlushed(): Promise<void> {
  while (process.stdout.writableLength > 0) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits while stdout holds more than its high-water mark. A dry run of thousands of instances logs its records in
 * batches with no I/O in between, faster than a pipe takes them: without this every line would wait in the process's
 * memory at once (14 MiB of 4,000 instances' lines, most of a 128 MiB heap: docs/performance.md). A closed stdout
 * ends the wait too, so a dead pipe cannot hang an invocation.
 */
async function stdoutDrained(): Promise<void> {
  const stdout = process.stdout;
  if (!stdout.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stdout.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    stdout.on('drain', done).on('close', done).on('error', done);
  });
}

/** Publishes awaited at once: the client batches them, and a resync of thousands must not queue them all at once. */
const PUBLISHES_IN_FLIGHT = 64;

const SEVERITY = { failed: 'ERROR', conflict: 'WARNING', 'conflict-retried': 'WARNING' } as const;

/**
 * Writes each audit record as one structured log line, and publishes it when a publisher is configured. A publish
 * failure is never silent: the record is logged with the failure and kept in the outbox, if there is one, for a later
 * invocation (`flush`) to publish; when it cannot be kept and delivery is required, the invocation fails.
 */
export class AuditWriter {
  constructor(
    private readonly log: Logger,
    private readonly publisher?: AuditPublisher,
    private readonly required = false,
    private readonly outbox?: AuditOutbox,
  ) {}

  /**
   * Logs the intent of a write before it is made, and waits until the line is out of the process: a crash between the
   * write and its record then still leaves a line with the id the object carries. A message of its own (searches and
   * metrics over `audit record` count each change once), and not published: the record that follows is.
   */
  intend(record: AuditRecord): Promise<void> | undefined {
    this.logLines({ ...record, outcome: 'intent' }, 'INFO', 'audit intent');
    // Nothing to wait for when the line is out already (stdout to a pipe or file is written at once on Linux): no
    // promise then, which a write in flight would otherwise pay for under the Functions Framework's domain.
    return process.stdout.writableLength > 0 ? stdoutFlushed() : undefined;
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    const audited = records.filter(isAudited);
    const failures = await eachBounded(audited, PUBLISHES_IN_FLIGHT, (record) => this.deliver(record));
    await stdoutDrained();
    const unpublished = audited.filter((_, i) => failures[i] !== undefined);
    if (unpublished.length === 0) return;
    const kept = await this.keep(unpublished);
    if (!kept && this.required) {
      throw new AuditDeliveryError(
        `${unpublished.length} audit record(s) could not be published (AUDIT_REQUIRED=true): ${failures.find((f) => f !== undefined)}`,
      );
    }
  }

  /**
   * Publishes what earlier invocations kept in the outbox, and keeps what still fails. Never throws: a failure here
   * leaves the records where they are for the next try.
   */
  async flush(): Promise<void> {
    if (!this.outbox || !this.publisher) return;
    try {
      const taken = await this.outbox.take();
      if (!taken) return;
      if (taken.corrupt.length > 0)
        this.log.error(
          { count: taken.corrupt.length, lines: taken.corrupt.slice(0, 5) },
          'audit outbox lines that are no record were skipped',
        );
      const published = await eachBounded(taken.records, PUBLISHES_IN_FLIGHT, (record) =>
        this.publisher!.publish(record).then(
          () => true,
          () => false,
        ),
      );
      const unpublished = taken.records.filter((_, i) => !published[i]);
      await this.outbox.keepOnly(taken, unpublished);
      this.log.log(
        unpublished.length > 0 ? 'WARNING' : 'NOTICE',
        { published: taken.records.length - unpublished.length, still_kept: unpublished.length },
        'audit outbox flushed',
      );
    } catch (error) {
      this.log.error(
        { error: errorMessage(error) },
        'audit outbox could not be flushed; its records stay for the next try',
      );
    }
  }

  /** Keeps unpublished records in the outbox; false when there is none or it failed (the log still has them). */
  private async keep(records: readonly AuditRecord[]): Promise<boolean> {
    if (!this.outbox) return false;
    try {
      const { refused, dropped } = await this.outbox.stash(records);
      const kept = records.filter((r) => !refused.includes(r));
      this.log.warn(
        {
          count: kept.length,
          ids: kept.slice(0, 10).map((r) => r.id),
          ...(dropped > 0 ? { older_dropped: dropped } : {}),
        },
        'audit records kept in the outbox until publishing works again',
      );
      if (refused.length === 0) return true;
      this.log.error(
        { count: refused.length, ids: refused.slice(0, 10).map((r) => r.id), error: 'too large for the outbox' },
        'audit records could not be kept in the outbox; they are only in the log',
      );
      return false;
    } catch (error) {
      this.log.error(
        { count: records.length, error: errorMessage(error) },
        'audit records could not be kept in the outbox; they are only in the log',
      );
      return false;
    }
  }

  private async deliver(record: AuditRecord): Promise<string | undefined> {
    const deliveryError = await this.publish(record);
    const severity = deliveryError ? 'ERROR' : (SEVERITY[record.outcome as keyof typeof SEVERITY] ?? 'NOTICE');
    this.logLines(record, severity, 'audit record', deliveryError ? { audit_delivery_error: deliveryError } : {});
    return deliveryError;
  }

  /**
   * A record as one log line, or as several under Cloud Logging's entry limit (log-parts.ts); the same message for
   * every part, so a search for audit records (or intents) finds them all.
   */
  private logLines(
    record: AuditRecord,
    severity: Parameters<Logger['log']>[0],
    message: string,
    extra: Record<string, unknown> = {},
  ): void {
    const labels = { action: record.action, instance: record.instance?.name ?? '', kind: record.object.kind };
    for (const { record: logged, part, text } of logParts(record)) {
      const fields = { record: logged, ...(part ? { patch_part: part } : {}), ...(text ? { patch_text: text } : {}) };
      this.log.log(severity, { ...fields, ...extra }, message, labels);
    }
  }

  /** Publishes the record, if there is a publisher; the failure's message if it could not. */
  private async publish(record: AuditRecord): Promise<string | undefined> {
    if (!this.publisher) return undefined;
    try {
      await this.publisher.publish(record);
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }
}
