import type { ClientConfig } from '@google-cloud/pubsub';

/** A client for a topic's own project (`projects/P/topics/T`); a name without one leaves the client's default. */
export function clientConfigOf(topicName: string): ClientConfig {
  const projectId = topicName.split('/')[1];
  return projectId ? { projectId } : {};
}
