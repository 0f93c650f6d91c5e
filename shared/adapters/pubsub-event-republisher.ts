import { PubSub, type Topic } from '@google-cloud/pubsub';
import { clientConfigOf } from './pubsub-topic.js';

/** A Pub/Sub message: its data and attributes. */
export interface TopicMessage {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Publishes the part of an event some clusters could not take back to the events topic (EVENT_TOPIC). */
export class PubSubEventRepublisher {
  private readonly topic: Topic;

  constructor(topicName: string, pubsub: PubSub = new PubSub(clientConfigOf(topicName))) {
    this.topic = pubsub.topic(topicName);
  }

  async publish(message: TopicMessage): Promise<string> {
    return this.topic.publishMessage({ data: message.data, attributes: { ...message.attributes } });
  }
}
