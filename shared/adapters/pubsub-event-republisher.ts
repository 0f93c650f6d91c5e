import { RestTopic, type PubSubTarget, type TopicMessage } from './pubsub-rest.js';

export type { TopicMessage };

/** Publishes the part of an event some clusters could not take back to the events topic (EVENT_TOPIC). */
export class PubSubEventRepublisher {
  private readonly topic: RestTopic;

  constructor(topicName: string, target: PubSubTarget) {
    this.topic = new RestTopic(topicName, target);
  }

  publish(message: TopicMessage): Promise<string> {
    return this.topic.publish(message);
  }
}
