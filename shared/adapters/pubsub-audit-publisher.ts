import { PubSub, type Topic } from '@google-cloud/pubsub';
import { clientConfigOf } from './pubsub-topic.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { AuditPublisher } from '../audit/audit-writer.js';

/**
 * Publishes each record as JSON to the audit topic, with attributes that subscriptions can filter on
 * (`attributes.action = "delete"`). Attribute values are capped at Pub/Sub's 1024-byte limit.
 */
export class PubSubAuditPublisher implements AuditPublisher {
  private readonly topic: Topic;

  constructor(topicName: string, pubsub: PubSub = new PubSub(clientConfigOf(topicName))) {
    this.topic = pubsub.topic(topicName);
  }

  async publish(record: AuditRecord): Promise<void> {
    const attributes = {
      instance: (record.instance?.name ?? '').slice(0, 1024),
      action: record.action,
      kind: record.object.kind,
      outcome: record.outcome,
    };
    await this.topic.publishMessage({ json: record, attributes });
  }
}
