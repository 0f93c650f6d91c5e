import type { Message, Subscription } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { unackedMessages } from '../../../dev/harness/pubsub/unacked.js';

export interface PublishedRecord {
  readonly record: AuditRecord;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Reads the audit topic back, as a BigQuery subscription or any consumer would. */
export class AuditReader {
  private readonly received: PublishedRecord[] = [];

  /**
   * With `exact` (the local server's host and the subscription's topic, the topic's only subscription), `all()` waits
   * until the server reports every message of the topic acknowledged, which this reader does once it holds it;
   * otherwise for a quiet period.
   */
  constructor(
    private readonly subscription: Subscription,
    private readonly exact?: { readonly pubsubHost: string; readonly topic: string },
  ) {
    subscription.on('message', (message: Message) => {
      this.received.push({
        record: JSON.parse(message.data.toString('utf8')) as AuditRecord,
        attributes: message.attributes,
      });
      message.ack();
    });
  }

  /** Everything received so far, once the records already published have arrived. */
  async all(): Promise<PublishedRecord[]> {
    if (this.exact) {
      const { pubsubHost, topic } = this.exact;
      const since = Date.now();
      while ((await unackedMessages(pubsubHost, topic)).length > 0) {
        if (Date.now() - since > 20_000) throw new Error(`audit reader: ${topic} still has unacknowledged records`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return [...this.received];
    }
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
