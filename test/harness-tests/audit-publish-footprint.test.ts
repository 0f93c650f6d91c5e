import { fileURLToPath } from 'node:url';
import { inFreshNode } from '../fixtures/fresh-node.js';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { pubSubClient, startPubSubServer, type PubSubServer } from '../../dev/harness/pubsub/pstest-server.js';

/**
 * An audit record is one message published to AUDIT_TOPIC. Loading @google-cloud/pubsub for that (its own google-gax,
 * grpc-js and google-auth-library) was a fifth of the CPU of the first event after a cold start (npm run
 * bench:first-event), so the record goes out over Pub/Sub's REST publish, which the local server serves at
 * PUBSUB_EMULATOR_HOST as the emulator does. Run in a fresh process from the build, so the module cache holds what
 * publishing really loaded.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = 'footprint-project';

const script = `
import { createRequire } from 'node:module';
const [publisherModule, topic, host] = process.argv.slice(1);
const { PubSubAuditPublisher } = await import(publisherModule);
const publisher = new PubSubAuditPublisher(topic, { project: '${PROJECT}', emulatorHost: host });
const record = {
  action: 'create', outcome: 'applied', instance: { name: 'projects/p/locations/r/instances/i' },
  object: { kind: 'ServiceEntry', namespace: 'istio-system', name: 'redis-i' },
};
const failure = await publisher.publish(record).then(() => undefined, (error) => String(error));
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .map((file) => /node_modules\\/((@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')))?.[1])
  .filter((name) => name && /google-gax|@grpc\\/|protobufjs|@google-cloud\\/pubsub/.test(name));
process.stdout.write(JSON.stringify({ failure: failure ?? null, loaded: [...new Set(loaded)].sort() }));
`;

let server: PubSubServer;
let pubsub: PubSub;
beforeAll(async () => {
  server = await startPubSubServer();
  pubsub = pubSubClient(server.host, PROJECT);
}, 30_000);
afterAll(async () => {
  await pubsub?.close();
  await server?.stop();
});

// In a fresh process, asynchronously: the test's own client reads the topic meanwhile.
async function publishInFreshProcess(topic: string): Promise<{ failure: string | null; loaded: string[] }> {
  const args = [`${root}build/shared/adapters/pubsub-audit-publisher.js`, topic, server.host];
  return inFreshNode<{ failure: string | null; loaded: string[] }>(script, args);
}

test('an audit record is published with its attributes, and no Pub/Sub client library is loaded for it', async () => {
  const [topic] = await pubsub.createTopic('audit');
  const [subscription]: [Subscription, ...unknown[]] = await topic.createSubscription('audit-reader');
  const received = new Promise<Message>((resolve) => subscription.once('message', resolve));
  const { failure, loaded } = await publishInFreshProcess(topic.name);
  expect(failure).toBeNull();
  expect(loaded).toEqual([]);
  const message = await received;
  message.ack();
  expect(message.attributes).toEqual({
    instance: 'projects/p/locations/r/instances/i',
    action: 'create',
    kind: 'ServiceEntry',
    outcome: 'applied',
  });
  expect(JSON.parse(message.data.toString('utf8'))).toMatchObject({ action: 'create', object: { name: 'redis-i' } });
  await subscription.close();
});

test('a topic that does not exist fails the publish at once, as NOT_FOUND', async () => {
  const { failure } = await publishInFreshProcess(`projects/${PROJECT}/topics/missing`);
  expect(failure).toMatch(/404|NOT_FOUND|not found/i);
});
