import { Duration, type Message, type PubSub } from '@google-cloud/pubsub';
import { unackedMessages } from './unacked.js';

export interface Delivery {
  readonly messageId: string;
  /** The HTTP status the target answered, or 0 when it could not be reached. */
  readonly status: number;
  /** 1 for the first delivery of a message, 2 for its first redelivery, ... */
  readonly attempt: number;
}

export interface EventBridge {
  /** Every delivery made so far, in order. */
  readonly deliveries: readonly Delivery[];
  /**
   * Resolves once the event path has settled: no delivery is in flight or waiting to be retried. Rejects after
   * `timeoutMs` if it does not (e.g. the target keeps failing a message).
   *
   * With `pubsubHost` and no `quietMs`, settled means exactly that: no delivery in flight and every message of the
   * topic acknowledged (or past the subscription's delivery attempts, so dead-lettered), as the local server reports
   * it. Otherwise it is inferred from a quiet period: no message has arrived for `quietMs` (default 1.5 s, counted
   * from this call at the earliest, since a message published just now may not have been pulled yet).
   */
  idle(quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BridgeOptions {
  readonly client: PubSub;
  /** Subscription id or full name; its topic must exist. */
  readonly subscription: string;
  readonly targetUrl: string;
  readonly onDelivery?: (delivery: Delivery) => void;
  /** Wait before a failed message is handed back, doubling per attempt (default 50 ms up to 1 s). */
  readonly retryBackoffMs?: { readonly min: number; readonly max: number };
  /** The local server's host (pstest-server.ts), which reports unacknowledged messages: `idle()` is then exact. */
  readonly pubsubHost?: string;
}

const QUIET_MS = 1500;
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The binary-mode CloudEvent Eventarc sends for a Pub/Sub trigger: attributes in `ce-` headers, data as the body. */
function cloudEvent(
  message: Message,
  topic: string,
  subscription: string,
): { headers: Record<string, string>; body: string } {
  const publishTime = message.publishTime.toISOString();
  const data = {
    message: {
      data: message.data.toString('base64'),
      attributes: message.attributes,
      messageId: message.id,
      publishTime,
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
    },
    subscription,
  };
  const headers = {
    'content-type': 'application/json',
    'ce-id': message.id,
    'ce-specversion': '1.0',
    'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    'ce-source': `//pubsub.googleapis.com/${topic}`,
    'ce-time': publishTime,
  };
  return { headers, body: JSON.stringify(data) };
}

/**
 * What Eventarc does for a Pub/Sub trigger, which the local Pub/Sub server cannot (it has no push delivery): pull each
 * message and POST it to the function as a CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`. A 2xx
 * acknowledges it; anything else (or no answer) nacks it after a short backoff, so the server redelivers it, as
 * Pub/Sub retries a failed function. A dead-letter policy on the subscription is applied by the server.
 */
export async function startEventBridge(options: BridgeOptions): Promise<EventBridge> {
  // The client extends the lease of a message while it is being delivered, so a slow function is not raced by a
  // redelivery; the floor of 30 s only matters if this process stalls.
  const subscription = options.client.subscription(options.subscription, {
    minAckDeadline: Duration.from({ seconds: 30 }),
    maxExtensionTime: Duration.from({ minutes: 10 }),
    closeOptions: { behavior: 'NACK', timeout: Duration.from({ seconds: 5 }) },
  });
  const [metadata] = await subscription.getMetadata();
  const topic = metadata.topic ?? '';
  // pstest dead-letters a message at the pull after its last attempt; until then it is still unacknowledged.
  const maxAttempts = metadata.deadLetterPolicy?.maxDeliveryAttempts || Infinity;
  const backoff = options.retryBackoffMs ?? { min: 50, max: 1000 };
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  // A message is done with once it is acknowledged, or once this bridge has posted it that many times. pstest's own
  // count is not enough: it counts a delivery when it hands the message to the client library, before the library
  // hands it to this bridge (so before it is in flight here).
  const exhausted = (id: string): boolean => (attempts.get(id) ?? 0) >= maxAttempts;
  const errors: Error[] = [];
  let inFlight = 0;
  let lastActivity = Date.now();
  let closed = false;

  async function post(message: Message): Promise<number> {
    const { headers, body } = cloudEvent(message, topic, subscription.name);
    try {
      const response = await fetch(options.targetUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async function deliver(message: Message): Promise<void> {
    inFlight++;
    lastActivity = Date.now();
    try {
      const attempt = (attempts.get(message.id) ?? 0) + 1;
      attempts.set(message.id, attempt);
      const status = await post(message);
      const delivery = { messageId: message.id, status, attempt };
      deliveries.push(delivery);
      options.onDelivery?.(delivery);
      const ok = status >= 200 && status < 300;
      // Pub/Sub backs off before retrying a failed push; without this a failing function would be hammered.
      if (!ok) await sleep(Math.min(backoff.min * 2 ** (attempt - 1), backoff.max));
      if (closed) return; // the subscription's close handed it back already
      if (ok) message.ack();
      else message.nack();
    } finally {
      inFlight--;
      lastActivity = Date.now();
    }
  }

  subscription.on('message', (message: Message) => void deliver(message));
  subscription.on('error', (error: Error) => void errors.push(error));

  return {
    deliveries,
    async idle(quietMs, timeoutMs = 25_000) {
      const since = Date.now();
      const exact = options.pubsubHost !== undefined && quietMs === undefined;
      const quiet = (): boolean => Date.now() - Math.max(lastActivity, since) >= (quietMs ?? QUIET_MS);
      const settled = async (): Promise<boolean> => {
        if (inFlight > 0) return false;
        if (!exact) return quiet();
        const unacked = await unackedMessages(options.pubsubHost, topic);
        return inFlight === 0 && unacked.every((m) => exhausted(m.id));
      };
      while (!(await settled())) {
        if (errors.length > 0)
          throw new Error(`event bridge: subscription failed: ${errors.map((e) => e.message).join('; ')}`);
        if (Date.now() - since > timeoutMs) {
          const failing = deliveries.filter((d) => d.status < 200 || d.status >= 300).slice(-5);
          throw new Error(
            `event bridge not idle after ${timeoutMs} ms: ${inFlight} in flight; last failed deliveries ${JSON.stringify(failing)}`,
          );
        }
        await sleep(exact ? POLL_MS : 50);
      }
    },
    async stop() {
      closed = true;
      subscription.removeAllListeners('message');
      await subscription.close();
    },
  };
}
