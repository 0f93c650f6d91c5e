import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { protos, type CloudRedisClient } from '@google-cloud/redis';
import grpc from '@grpc/grpc-js';
import {
  localRedisClient,
  startFakeMemorystore,
  type AuditLogEntry,
  type FakeMemorystore,
} from '../../dev/harness/memorystore/index.js';
import { startEventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { startHttpRecorder, type HttpRecorder } from '../../dev/harness/pubsub/http-recorder.js';
import { pubSubClient, startPubSubServer, type PubSubServer } from '../../dev/harness/pubsub/pstest-server.js';

/**
 * The local Memorystore API and the Pub/Sub path through real parts: the real @google-cloud/redis client, the real
 * Pub/Sub server (pstest) and Node client, and the event bridge posting to a real HTTP server. Each test of the API
 * gets an empty API of its own and its own audit topic, and creates the instances it is about.
 */
const PROJECT = 'test-project';
// An operation's result is decoded by the client as a protobuf message, so its enums are numbers (getInstance gives
// strings).
const { State, Tier, TransitEncryptionMode } = protos.google.cloud.redis.v1.Instance;
const parent = (region: string): string => `projects/${PROJECT}/locations/${region}`;
interface Sunk {
  entry: AuditLogEntry;
  attributes: Record<string, string>;
}
const parseEntry = (data: Buffer): AuditLogEntry => JSON.parse(data.toString()) as AuditLogEntry;

let pubsubServer: PubSubServer;
let pubsub: PubSub;
let reader: Subscription;
let memorystore: FakeMemorystore;
let redis: CloudRedisClient;
/** The audit entries the current test's API published. */
let sunk: Sunk[] = [];
let apis = 0;

async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen`);
}

/** The first and last audit entries of one operation, once both have reached the reader subscription. */
async function entriesOf(operationId: string): Promise<Sunk[]> {
  await memorystore.settled();
  return eventually(`audit entries of ${operationId}`, () => {
    const found = sunk.filter((s) => s.entry.operation.id === operationId);
    return found.length === 2
      ? found.sort((a, b) => Number(Boolean(b.entry.operation.first)) - Number(Boolean(a.entry.operation.first)))
      : undefined;
  });
}

async function create(region: string, id: string, instance: Record<string, unknown> = {}) {
  const [operation] = await redis.createInstance({
    parent: parent(region),
    instanceId: id,
    instance: { tier: 'BASIC', memorySizeGb: 1, ...instance },
  });
  const [created] = await operation.promise();
  return { operation, created };
}

beforeAll(async () => {
  pubsubServer = await startPubSubServer();
  pubsub = pubSubClient(pubsubServer.host, PROJECT);
}, 60_000);

afterAll(async () => {
  await pubsub?.close();
  await pubsubServer?.stop();
});

/** For the tests of a block: an empty local API of their own, whose audit entries go to a topic of their own. */
function eachWithOwnApi(): void {
  beforeEach(async () => {
    const id = `redis-audit-${++apis}`;
    const [topic] = await pubsub.createTopic(id);
    [reader] = await topic.createSubscription(`${id}-reader`, { ackDeadlineSeconds: 10 });
    const received: Sunk[] = [];
    sunk = received;
    reader.on(
      'message',
      (m: Message) => (received.push({ entry: parseEntry(m.data), attributes: m.attributes }), m.ack()),
    );
    memorystore = await startFakeMemorystore({
      projectId: PROJECT,
      pubsub: { client: pubsub, topic: id },
      principalEmail: 'ops@example.com',
    });
    redis = localRedisClient(memorystore.port, PROJECT);
  });
  afterEach(async () => {
    await redis?.close();
    await memorystore?.stop();
    await reader?.close();
  });
}

describe('local Memorystore API through the real client', () => {
  eachWithOwnApi();

  test('create: CREATING with no address, then the operation yields a READY instance with one', async () => {
    // Long enough that the read right after the create still sees CREATING on a busy machine.
    memorystore.setSettleDelay(1000);
    const [operation] = await redis.createInstance({
      parent: parent('us-central1'),
      instanceId: 'orders',
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    memorystore.setSettleDelay(50);
    const [during] = await redis.getInstance({ name: `${parent('us-central1')}/instances/orders` });
    expect(during).toMatchObject({ state: 'CREATING', host: '', port: 0 });
    expect(operation.metadata).toMatchObject({
      verb: 'create',
      target: `${parent('us-central1')}/instances/orders`,
      apiVersion: 'v1',
    });
    const [created] = await operation.promise();
    expect(created).toMatchObject({
      name: `${parent('us-central1')}/instances/orders`,
      state: State.READY,
      port: 6379,
      tier: Tier.BASIC,
      readEndpoint: '',
    });
    expect(created.host).toMatch(/^10\.\d+\.\d+\.\d+$/);
    const [got] = await redis.getInstance({ name: created.name! });
    expect(got).toMatchObject({ state: 'READY', host: created.host });
  });

  test('in-transit encryption puts the instance on 6378; AUTH strings exist but never reach an audit entry', async () => {
    const { operation, created } = await create('us-central1', 'secure', {
      authEnabled: true,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
    });
    expect(created).toMatchObject({
      port: 6378,
      authEnabled: true,
      transitEncryptionMode: TransitEncryptionMode.SERVER_AUTHENTICATION,
    });
    const [auth] = await redis.getInstanceAuthString({ name: created.name! });
    expect(auth.authString?.length).toBeGreaterThan(16);
    const entries = await entriesOf(operation.name!);
    expect(JSON.stringify(entries)).not.toContain(auth.authString);
    expect(entries[0]!.entry.protoPayload.request['instance']).toMatchObject({
      authEnabled: true,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
    });
  });

  test('aggregated list across regions, paged, with unreachable regions', async () => {
    await create('us-central1', 'orders');
    await create('us-central1', 'secure', { authEnabled: true, transitEncryptionMode: 'SERVER_AUTHENTICATION' });
    await create('europe-west1', 'eu-cache');
    await create('asia-east1', 'asia-cache');
    const [first, , firstResponse] = await redis.listInstances(
      { parent: parent('-'), pageSize: 2 },
      { autoPaginate: false },
    );
    expect(first.map((i) => i.name!.split('/').pop())).toEqual(['asia-cache', 'eu-cache']);
    expect(firstResponse?.nextPageToken).toBeTruthy();
    const [second, , secondResponse] = await redis.listInstances(
      { parent: parent('-'), pageSize: 2, pageToken: firstResponse?.nextPageToken ?? '' },
      { autoPaginate: false },
    );
    expect(second.map((i) => i.name!.split('/').pop())).toEqual(['orders', 'secure']);
    expect(secondResponse?.nextPageToken).toBe('');
    const all: string[] = [];
    for await (const instance of redis.listInstancesAsync(
      { parent: parent('-'), pageSize: 1 },
      { autoPaginate: false },
    ))
      all.push(instance.name!);
    expect(all).toHaveLength(4);
    const [regional] = await redis.listInstances({ parent: parent('europe-west1') });
    expect(regional.map((i) => i.name)).toEqual([`${parent('europe-west1')}/instances/eu-cache`]);

    memorystore.setUnreachable(['europe-west1']);
    const [reachable, , partial] = await redis.listInstances({ parent: parent('-') }, { autoPaginate: false });
    expect(reachable.map((i) => i.name!.split('/').pop())).toEqual(['asia-cache', 'orders', 'secure']);
    expect(partial?.unreachable).toEqual([parent('europe-west1')]);
    memorystore.setUnreachable(['europe-west1'], { placeholders: true });
    const [withPlaceholder] = await redis.listInstances({ parent: parent('-') });
    expect(withPlaceholder.find((i) => i.name === `${parent('europe-west1')}/instances/-`)?.statusMessage).toBe(
      'location not available for ListInstances',
    );
    memorystore.setUnreachable([]);
    await expect(
      redis.listInstances({ parent: parent('-'), pageToken: 'garbage' }, { autoPaginate: false }),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  test('resize: UPDATING, then READY with the same address; read replicas add a read endpoint', async () => {
    const { created } = await create('us-east1', 'ha', { tier: 'STANDARD_HA' });
    // Long enough for the read below to see it UPDATING on a busy machine (the API's port is relayed: one more hop).
    memorystore.setSettleDelay(1000);
    const [resize] = await redis.updateInstance({
      updateMask: { paths: ['memory_size_gb'] },
      instance: { name: created.name!, memorySizeGb: 5 },
    });
    expect((await redis.getInstance({ name: created.name! }))[0].state).toBe('UPDATING');
    const [resized] = await resize.promise();
    expect(resized).toMatchObject({ state: State.READY, memorySizeGb: 5, host: created.host, port: created.port });
    const [replicas] = await redis.updateInstance({
      updateMask: { paths: ['read_replicas_mode', 'replica_count'] },
      instance: { name: created.name!, readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 },
    });
    const [withReplicas] = await replicas.promise();
    expect(withReplicas).toMatchObject({ host: created.host, readEndpointPort: 6379, replicaCount: 2 });
    expect((await redis.getInstance({ name: created.name! }))[0].readReplicasMode).toBe('READ_REPLICAS_ENABLED');
    expect(withReplicas.readEndpoint).toMatch(/^10\./);
    expect(withReplicas.readEndpoint).not.toBe(created.host);
    await expect(
      redis.updateInstance({ updateMask: { paths: ['host'] }, instance: { name: created.name!, host: '1.2.3.4' } }),
    ).rejects.toMatchObject({ code: 3 });
  });

  test('failover: FAILING_OVER, then READY at the same address with the primary in the other zone', async () => {
    await create('us-east1', 'ha', { tier: 'STANDARD_HA', readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 });
    const name = `${parent('us-east1')}/instances/ha`;
    const [before] = await redis.getInstance({ name });
    // Long enough for the read below to see it FAILING_OVER on a busy machine (the API's port is relayed).
    memorystore.setSettleDelay(1000);
    const [failover] = await redis.failoverInstance({ name });
    expect((await redis.getInstance({ name }))[0].state).toBe('FAILING_OVER');
    const [after] = await failover.promise();
    expect(after).toMatchObject({
      state: State.READY,
      host: before.host,
      readEndpoint: before.readEndpoint,
      currentLocationId: before.alternativeLocationId,
    });
  });

  test('delete: DELETING, then NOT_FOUND', async () => {
    await create('asia-east1', 'asia-cache');
    const name = `${parent('asia-east1')}/instances/asia-cache`;
    // Long enough for the read below to see it DELETING on a busy machine (the API's port is relayed: one more hop).
    memorystore.setSettleDelay(1000);
    const [deletion] = await redis.deleteInstance({ name });
    expect((await redis.getInstance({ name }))[0].state).toBe('DELETING');
    await deletion.promise();
    await expect(redis.getInstance({ name })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(redis.deleteInstance({ name })).rejects.toMatchObject({ code: 5 });
  });

  test('refusals carry the gRPC codes the real API uses', async () => {
    await create('us-central1', 'orders');
    const { ALREADY_EXISTS, INVALID_ARGUMENT, NOT_FOUND } = grpc.status;
    const attempt = (instanceId: string, instance: { memorySizeGb?: number }) =>
      redis.createInstance({ parent: parent('us-central1'), instanceId, instance });
    await expect(attempt('orders', { memorySizeGb: 1 })).rejects.toMatchObject({ code: ALREADY_EXISTS });
    await expect(attempt('Bad_Id', { memorySizeGb: 1 })).rejects.toMatchObject({ code: INVALID_ARGUMENT });
    await expect(attempt('no-memory', {})).rejects.toMatchObject({ code: INVALID_ARGUMENT });
    await expect(redis.getInstance({ name: `${parent('us-central1')}/instances/missing` })).rejects.toMatchObject({
      code: NOT_FOUND,
    });
  });
});

describe('audit entries on Pub/Sub', () => {
  eachWithOwnApi();

  test('a create logs a first entry (parent, request, Operation) and a last entry (the instance, no response)', async () => {
    const { operation } = await create('us-west1', 'audited', { labels: { team: 'payments' } });
    const [first, last] = await entriesOf(operation.name!);
    const instanceName = `${parent('us-west1')}/instances/audited`;
    expect(first!.entry).toMatchObject({
      logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Factivity`,
      severity: 'NOTICE',
      resource: { type: 'redis_instance', labels: { project_id: PROJECT, region: 'us-west1', instance_id: 'audited' } },
      operation: { id: operation.name, producer: 'redis.googleapis.com', first: true },
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        serviceName: 'redis.googleapis.com',
        methodName: 'google.cloud.redis.v1.CloudRedis.CreateInstance',
        authenticationInfo: { principalEmail: 'ops@example.com' },
        authorizationInfo: [{ resource: parent('us-west1'), permission: 'redis.instances.create', granted: true }],
        resourceName: parent('us-west1'),
        request: {
          '@type': 'type.googleapis.com/google.cloud.redis.v1.CreateInstanceRequest',
          parent: parent('us-west1'),
          instanceId: 'audited',
          instance: { tier: 'BASIC', memorySizeGb: 1, labels: { team: 'payments' } },
        },
        response: { name: operation.name, done: false, metadata: { verb: 'create', target: instanceName } },
      },
    });
    expect(first!.entry.insertId).toMatch(/^[0-9a-f]{12}$/);
    expect(first!.attributes).toEqual({ 'logging.googleapis.com/timestamp': first!.entry.timestamp });
    expect(last!.entry).toMatchObject({
      operation: { id: operation.name, last: true },
      protoPayload: { resourceName: instanceName },
    });
    expect(last!.entry.protoPayload).not.toHaveProperty('response');
    expect(last!.entry.operation).not.toHaveProperty('first');
    expect(Date.parse(last!.entry.timestamp)).toBeGreaterThanOrEqual(Date.parse(first!.entry.timestamp));
  });

  test('update, failover and delete name the instance in both entries', async () => {
    await create('us-west1', 'audited', { labels: { team: 'payments' } });
    const name = `${parent('us-west1')}/instances/audited`;
    const [update] = await redis.updateInstance({
      updateMask: { paths: ['labels'] },
      instance: { name, labels: { team: 'risk' } },
    });
    const [failover] = await update.promise().then(() => redis.failoverInstance({ name }));
    const [deletion] = await failover.promise().then(() => redis.deleteInstance({ name }));
    await deletion.promise();
    for (const [operation, method] of [
      [update, 'UpdateInstance'],
      [failover, 'FailoverInstance'],
      [deletion, 'DeleteInstance'],
    ] as const) {
      const entries = await entriesOf(operation.name!);
      const expected = [`google.cloud.redis.v1.CloudRedis.${method}`, name];
      expect(entries.map((e) => [e.entry.protoPayload.methodName, e.entry.protoPayload.resourceName])).toEqual([
        expected,
        expected,
      ]);
    }
    const updateEntry = sunk.find((s) => s.entry.operation.id === update.name);
    expect(updateEntry?.entry.protoPayload.request).toMatchObject({
      updateMask: { paths: ['labels'] },
      instance: { name, labels: { team: 'risk' } },
    });
  });

  test('re-address: a new host (or port), logged as an UpdateInstance', async () => {
    const { operation, created } = await create('us-west1', 'moving');
    await entriesOf(operation.name!); // the create's own entries are in before the count is taken
    const count = sunk.length;
    await memorystore.readdress(created.name!, { host: '10.250.0.9' });
    expect((await redis.getInstance({ name: created.name! }))[0]).toMatchObject({
      host: '10.250.0.9',
      port: 6379,
      state: 'READY',
    });
    await memorystore.readdress(created.name!, { port: 6378 });
    expect((await redis.getInstance({ name: created.name! }))[0]).toMatchObject({ host: '10.250.0.9', port: 6378 });
    await memorystore.settled();
    const logged = await eventually('four entries', () => (sunk.length >= count + 4 ? sunk.slice(count) : undefined));
    const methods = logged.map(
      (s) => `${s.entry.protoPayload.methodName.split('.').pop()} ${s.entry.operation.first ? 'first' : 'last'}`,
    );
    expect(methods.sort()).toEqual([
      'UpdateInstance first',
      'UpdateInstance first',
      'UpdateInstance last',
      'UpdateInstance last',
    ]);
    expect(logged.every((s) => s.entry.protoPayload.resourceName === created.name)).toBe(true);
  });

  test('entries shaped as real ones may be: a trimmed last request, a collection resourceName, no named resource', async () => {
    memorystore.setEntryShape({ trimLastRequest: true, lastResourceName: 'collection', genericResource: true });
    const { operation } = await create('us-west1', 'shaped', { displayName: 'shaped' });
    const [first, last] = await entriesOf(operation.name!);
    // The first entry is as before: the parent and the whole request.
    expect(first!.entry.protoPayload).toMatchObject({
      resourceName: parent('us-west1'),
      request: { parent: parent('us-west1'), instanceId: 'shaped', instance: { displayName: 'shaped' } },
    });
    expect(last!.entry.protoPayload.resourceName).toBe(`${parent('us-west1')}/instances`);
    expect(last!.entry.protoPayload.request).toEqual({
      '@type': 'type.googleapis.com/google.cloud.redis.v1.CreateInstanceRequest',
    });
    expect(last!.entry.resource).toEqual({
      type: 'audited_resource',
      labels: { project_id: PROJECT, service: 'redis.googleapis.com' },
    });
  });

  test('reshape: what the API reports changes as the change says, logged as an UpdateInstance', async () => {
    const { created } = await create('us-west1', 'reshaped');
    await memorystore.reshape(created.name!, (instance) => void (instance['port'] = 70000));
    expect((await redis.getInstance({ name: created.name! }))[0]).toMatchObject({ port: 70000, state: 'READY' });
    await expect(memorystore.reshape(`${parent('us-west1')}/instances/none`, () => undefined)).rejects.toThrow(
      /no instance or cluster/,
    );
  });
});

describe('event bridge', () => {
  // A recorder per test: each counts only the requests it was sent.
  let target: HttpRecorder;
  beforeEach(async () => void (target = await startHttpRecorder()));
  afterEach(() => target.close());

  test('posts a binary-mode messagePublished CloudEvent; 204 acks, 500 redelivers', async () => {
    const [topic] = await pubsub.createTopic('bridged');
    await topic.createSubscription('bridged-sub', { ackDeadlineSeconds: 10 });
    const bridge = await startEventBridge({ client: pubsub, subscription: 'bridged-sub', targetUrl: target.url });
    try {
      const attributes = { 'logging.googleapis.com/timestamp': '2026-01-01T00:00:00Z' };
      const id = await topic.publishMessage({ data: Buffer.from('{"hello":"world"}'), attributes });
      await bridge.idle(500);
      expect(target.received).toHaveLength(1);
      const [event] = target.received;
      expect(event!.headers).toMatchObject({
        'ce-id': id,
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-source': `//pubsub.googleapis.com/projects/${PROJECT}/topics/bridged`,
        'content-type': 'application/json',
      });
      expect(Date.parse(String(event!.headers['ce-time']))).not.toBeNaN();
      expect(JSON.parse(event!.body)).toEqual({
        message: {
          data: Buffer.from('{"hello":"world"}').toString('base64'),
          attributes,
          messageId: id,
          publishTime: event!.headers['ce-time'],
        },
        subscription: `projects/${PROJECT}/subscriptions/bridged-sub`,
      });

      target.answerWith((r) =>
        target.received.filter((x) => x.headers['ce-id'] === r.headers['ce-id']).length < 3 ? 500 : 204,
      );
      const failing = await topic.publishMessage({ data: Buffer.from('{}') });
      await bridge.idle(500);
      expect(bridge.deliveries.filter((d) => d.messageId === failing)).toEqual([
        { messageId: failing, status: 500, attempt: 1 },
        { messageId: failing, status: 500, attempt: 2 },
        { messageId: failing, status: 204, attempt: 3 },
      ]);
      expect(bridge.deliveries.filter((d) => d.messageId === id)).toHaveLength(1);
    } finally {
      target.answerWith(() => 204);
      await bridge.stop();
    }
  });

  test('the whole path: an instance change reaches the HTTP target as two CloudEvents carrying LogEntries', async () => {
    const [topic] = await pubsub.createTopic('sink');
    await topic.createSubscription('sink-sub', { ackDeadlineSeconds: 10 });
    const local = await startFakeMemorystore({ projectId: PROJECT, pubsub: { client: pubsub, topic: 'sink' } });
    const bridge = await startEventBridge({ client: pubsub, subscription: 'sink-sub', targetUrl: target.url });
    const client = localRedisClient(local.port, PROJECT);
    try {
      const before = target.received.length;
      const [operation] = await client.createInstance({
        parent: parent('us-central1'),
        instanceId: 'e2e',
        instance: { tier: 'BASIC', memorySizeGb: 1 },
      });
      await operation.promise();
      await local.settled();
      await bridge.idle();
      const entries = target.received
        .slice(before)
        .map((r) =>
          parseEntry(Buffer.from((JSON.parse(r.body) as { message: { data: string } }).message.data, 'base64')),
        );
      expect(
        entries
          .map((e) => [e.operation.id, e.operation.first ?? false, e.protoPayload.authenticationInfo.principalEmail])
          .sort(),
      ).toEqual([
        [operation.name, false, 'alice@example.com'],
        [operation.name, true, 'alice@example.com'],
      ]);
    } finally {
      await client.close();
      await bridge.stop();
      await local.stop();
    }
  });
});
