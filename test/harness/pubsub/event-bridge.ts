import type { Message, PubSub } from '@google-cloud/pubsub';

export interface Delivery {
  readonly messageId: string;
  readonly status: number;
  readonly attempt: number;
}

export interface EventBridge {
  readonly deliveries: readonly Delivery[];
  /** Resolves once nothing is in flight and no message arrived for a quiet period: the event path has settled. */
  idle(quietMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BridgeOptions {
  readonly client: PubSub;
  readonly subscription: string;
  readonly targetUrl: string;
  readonly onDelivery?: (delivery: Delivery) => void;
}

/**
 * What Eventarc does for a Pub/Sub trigger, which the local Pub/Sub server cannot (it has no push delivery): pull each
 * message and POST it to the function as a binary-mode CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`.
 * A 2xx acknowledges it; anything else nacks it, so the server redelivers it, as Pub/Sub retries a failed function.
 */
export async function startEventBridge(options: BridgeOptions): Promise<EventBridge> {
  const subscription = options.client.subscription(options.subscription);
  const [metadata] = await subscription.getMetadata();
  const topic = metadata.topic ?? '';
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let lastActivity = Date.now();

  async function deliver(message: Message): Promise<void> {
    inFlight++;
    lastActivity = Date.now();
    const attempt = (attempts.get(message.id) ?? 0) + 1;
    attempts.set(message.id, attempt);
    const body = {
      message: { data: message.data.toString('base64'), attributes: message.attributes, messageId: message.id, publishTime: message.publishTime.toISOString() },
      subscription: subscription.name,
    };
    let status = 0;
    try {
      const response = await fetch(options.targetUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-id': message.id,
          'ce-specversion': '1.0',
          'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
          'ce-source': `//pubsub.googleapis.com/${topic}`,
          'ce-time': message.publishTime.toISOString(),
        },
        body: JSON.stringify(body),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivery = { messageId: message.id, status, attempt };
    deliveries.push(delivery);
    options.onDelivery?.(delivery);
    if (status >= 200 && status < 300) message.ack();
    else message.nack();
    inFlight--;
    lastActivity = Date.now();
  }

  subscription.on('message', (message: Message) => void deliver(message));
  subscription.on('error', () => undefined);

  return {
    deliveries,
    async idle(quietMs = 1500) {
      // Publishing, pulling and delivery are asynchronous: wait for a stretch with no activity at all, counted from
      // this call at the earliest, since a message published just now may not have been pulled yet.
      const since = Date.now();
      while (inFlight > 0 || Date.now() - Math.max(lastActivity, since) < quietMs) await new Promise((resolve) => setTimeout(resolve, 100));
    },
    async stop() {
      subscription.removeAllListeners('message');
      await subscription.close();
    },
  };
}
