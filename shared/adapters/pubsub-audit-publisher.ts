import type { AuditRecord } from '../audit/audit-record.js';
import type { AuditPublisher } from '../audit/audit-writer.js';
import { RestTopic, type PubSubTarget } from './pubsub-rest.js';

/**
 * Publishes each record as JSON to the audit topic, with attributes that subscriptions can filter on
 * (`attributes.action = "delete"`). Attribute values are capped at Pub/Sub's 1024-byte limit.
 */
export class PubSubAuditPublisher implements AuditPublisher {
  private readonly topic: RestTopic;

  constructor(topicName: string, target: PubSubTarget) {
    this.topic = new RestTopic(topicName, target);
  }

  async publish(record: AuditRecord): Promise<void> {
    const attributes = {
      instance: (record.instance?.name ?? '').slice(0, 1024),
      action: record.action,
      kind: record.object.kind,
      outcome: record.outcome,
    };
    await this.topic.publish({ data: Buffer.from(JSON.stringify(record)), attributes });
  }
}
