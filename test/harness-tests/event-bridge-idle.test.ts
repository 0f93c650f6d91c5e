import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { startEventBridge, type EventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { pubSubClient, startPubSubServer, type PubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { unackedMessages } from '../../dev/harness/pubsub/unacked.js';

/**
 * The event bridge's exact idle: the local server (pstest, with the project's admin endpoint) reports which messages
 * of a topic no subscriber has acknowledged, so `idle()` waits for exactly the deliveries still owed, not for a quiet
 * period. The integration tests wait on it after every step, so a wrong answer here would let a test read the
 * cluster before an event was handled.
 */
const PROJECT = 'test-project';
let server: PubSubServer;
let pubsub: PubSub;
let topics = 0;

beforeAll(async () => {
  server = await startPubSubServer();
  pubsub = pubSubClient(server.host, PROJECT);
}, 60_000);

afterAll(async () => {
  await pubsub?.close();
  await server?.stop();
});

/** A function stand-in answering each POST with the next of `answers` (the last repeats), after `delayMs`. */
async function slowTarget(
  answers: number[],
  delayMs: number,
): Promise<{ url: string; answered: number[]; server: Server }> {
  const answered: number[] = [];
  const target = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      setTimeout(() => {
        const status = answers[Math.min(answered.length, answers.length - 1)]!;
        answered.push(status);
        response.writeHead(status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`, answered, server: target };
}

async function topicWithSubscription(options: Record<string, unknown> = {}) {
  const id = `idle-${++topics}`;
  const [topic] = await pubsub.createTopic(id);
  await topic.createSubscription(`${id}-sub`, { ackDeadlineSeconds: 10, ...options });
  return { topic, subscription: `${id}-sub` };
}

test('the local server reports a message unacknowledged until its subscriber acknowledges it, per topic', async () => {
  const { topic, subscription } = await topicWithSubscription();
  const other = await topicWithSubscription();
  const id = await topic.publishMessage({ data: Buffer.from('{}') });
  await other.topic.publishMessage({ data: Buffer.from('{}') });

  expect(await unackedMessages(server.host, topic.name)).toEqual([{ id, deliveries: 0 }]);
  const reader = pubsub.subscription(subscription);
  const acked = new Promise<void>((resolve) =>
    reader.on('message', (message: Message) => {
      message.ack();
      resolve();
    }),
  );
  await acked;
  for (let i = 0; i < 100 && (await unackedMessages(server.host, topic.name)).length > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await unackedMessages(server.host, topic.name)).toEqual([]);
  expect(await unackedMessages(server.host, other.topic.name)).toHaveLength(1);
  await reader.close();
});

/** Runs `body` with an exact-idle bridge from `subscription` to a `slowTarget(answers, delayMs)`, then stops both. */
async function withBridge(
  subscription: string,
  target: { answers: number[]; delayMs: number; backoffMs: number },
  body: (bridge: EventBridge, answered: readonly number[]) => Promise<void>,
): Promise<void> {
  const standIn = await slowTarget(target.answers, target.delayMs);
  const bridge = await startEventBridge({
    client: pubsub,
    subscription,
    targetUrl: standIn.url,
    pubsubHost: server.host,
    retryBackoffMs: { min: target.backoffMs, max: target.backoffMs },
  });
  try {
    await body(bridge, standIn.answered);
  } finally {
    await bridge.stop();
    standIn.server.close();
  }
}

test('idle() waits for a message published just before it, through a slow failure and its retry', async () => {
  const { topic, subscription } = await topicWithSubscription();
  await withBridge(subscription, { answers: [500, 204], delayMs: 300, backoffMs: 200 }, async (bridge, answered) => {
    const id = await topic.publishMessage({ data: Buffer.from('{}') });
    await bridge.idle();
    expect(answered).toEqual([500, 204]);
    expect(bridge.deliveries.map((d) => [d.messageId, d.status, d.attempt])).toEqual([
      [id, 500, 1],
      [id, 204, 2],
    ]);
    expect(await unackedMessages(server.host, topic.name)).toEqual([]);
  });
});

test('idle() counts a message past its delivery attempts as settled: it goes to the dead-letter topic', async () => {
  const [deadLetters] = await pubsub.createTopic(`idle-dead-${++topics}`);
  const [deadLetterReader] = await deadLetters.createSubscription(`idle-dead-${topics}-sub`);
  const deadLettered = new Promise<string>((resolve) =>
    deadLetterReader.on('message', (message: Message) => {
      message.ack();
      resolve(message.data.toString());
    }),
  );
  const { topic, subscription } = await topicWithSubscription({
    deadLetterPolicy: { deadLetterTopic: deadLetters.name, maxDeliveryAttempts: 5 },
  });
  await withBridge(subscription, { answers: [500], delayMs: 0, backoffMs: 10 }, async (bridge) => {
    await topic.publishMessage({ data: Buffer.from('{"dead":true}') });
    await bridge.idle(undefined, 20_000);
    expect(bridge.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5]);
    // pstest moves it at its next pull, to the dead-letter topic's subscriptions only.
    expect(await deadLettered).toBe('{"dead":true}');
  });
  await deadLetterReader.close();
});
