import type { Message, Subscription } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';

export interface PublishedRecord {
  readonly record: AuditRecord;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Reads the audit topic back, as a BigQuery subscription or any consumer would. */
export class AuditReader {
  private readonly received: PublishedRecord[] = [];

  constructor(private readonly subscription: Subscription) {
    subscription.on('message', (message: Message) => {
      this.received.push({
        record: JSON.parse(message.data.toString('utf8')) as AuditRecord,
        attributes: message.attributes,
      });
      message.ack();
    });
  }

  /** Everything received so far, after a short quiet period so records still in flight arrive. */
  async all(): Promise<PublishedRecord[]> {
    let count = -1;
    while (count !== this.received.length) {
      count = this.received.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return [...this.received];
  }

  /** Records received since the given count: the records of one step of a scenario. */
  async since(mark: number): Promise<PublishedRecord[]> {
    return (await this.all()).slice(mark);
  }

  get count(): number {
    return this.received.length;
  }

  async close(): Promise<void> {
    this.subscription.removeAllListeners('message');
    await this.subscription.close();
  }
}
