import { join } from 'node:path';
import { ANNOTATION_INSTANCE_NAME } from '../../shared/model/k8s-object.js';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { startFaultProxy, type FaultProxy } from '../../dev/harness/kube-proxy/fault-proxy.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { PROJECT, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * One deployment keeping two clusters in step, on two real control planes: the shared one (egress-gateway mode) and
 * a second one started here (direct mode, its own RBAC and egress gateway), reached through a fault proxy that can
 * take it down. Each test makes its own instances, so the tests stand alone in any order.
 */
const namespace = 'e2e-clusters';
/** A cluster's share of an event here; the default (30 s) would only make the stuck-cluster test slow. */
const DEADLINE_SECONDS = 4;
let second: ControlPlane;
let proxy: FaultProxy;
let rig: SyncRig;
let firstView: ClusterView;
let secondView: ClusterView;

beforeAll(async () => {
  second = await startRigCluster({ users: [SYNC_USER] });
  await prepareNamespace(second.adminKubeconfigPath, { namespace, user: SYNC_USER, ownerId: 'e2e' });
  proxy = await startFaultProxy(
    second.kubeconfigFor(SYNC_USER),
    join(second.dataDir, 'sync-user-through-proxy.kubeconfig'),
  );
  const clusters = [
    { name: 'first', kubeconfig: sharedStack().syncUserKubeconfig },
    { name: 'second', kubeconfig: proxy.kubeconfig, mode: 'direct' },
  ];
  rig = await startRig({
    namespace,
    env: {
      SYNC_CLUSTERS: JSON.stringify(clusters),
      CLUSTER_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
      // The rig's events topic, where the Memorystore stand-in publishes its audit entries as the sink would.
      EVENT_TOPIC: `projects/${PROJECT}/topics/${namespace}-redis-audit-logs`,
    },
  });
  firstView = rig.cluster;
  secondView = new ClusterView(second.adminKubeconfigPath, namespace);
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  await proxy?.stop();
  await second?.stop();
});

/** Kinds of the objects an instance has in a cluster, sorted. */
async function kindsOf(view: ClusterView, id: string): Promise<string[]> {
  const full = `projects/${PROJECT}/locations/us-central1/instances/${id}`;
  return [...(await view.istioObjects()).values()]
    .filter((o) => o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME] === full)
    .map((o) => o.kind)
    .sort();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const GATEWAY_MODE = ['DestinationRule', 'Gateway', 'ServiceEntry', 'VirtualService'];

test('an instance created gets its objects in both clusters, each in its own mode; every record names its cluster', async () => {
  const mark = rig.audit.count;
  await rig.createInstance('both-1');
  await rig.idle();
  expect(await kindsOf(firstView, 'both-1')).toEqual(GATEWAY_MODE);
  expect(await kindsOf(secondView, 'both-1')).toEqual(['ServiceEntry']);
  const records = (await rig.audit.since(mark))
    .map((p) => p.record)
    .filter((r) => r.instance?.name.endsWith('/both-1'));
  expect(records.filter((r) => r.cluster === 'second').map((r) => `${r.action} ${r.object.kind}`)).toEqual([
    'create ServiceEntry',
  ]);
  expect(
    records
      .filter((r) => r.cluster === 'first')
      .map((r) => r.object.kind)
      .sort(),
  ).toEqual([...GATEWAY_MODE, 'Service'].sort());
  expect(records.every((r) => r.cluster === 'first' || r.cluster === 'second')).toBe(true);
}, 90_000);

test('with the second cluster down, the first gets its change at once; the event is retried until the second has it too', async () => {
  const mark = rig.audit.count;
  const before = rig.deliveries().length;
  proxy.setRule(() => ({ status: 503 }));
  try {
    const [operation] = await rig.redis.createInstance({
      parent: `projects/${PROJECT}/locations/us-central1`,
      instanceId: 'down-1',
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    await operation.promise();
    await until(
      'the first cluster to get its objects',
      async () => (await kindsOf(firstView, 'down-1')).length === GATEWAY_MODE.length,
    );
    await until('a failed delivery', async () =>
      rig
        .deliveries()
        .slice(before)
        .some((d) => d.status >= 500),
    );
    expect(await kindsOf(secondView, 'down-1')).toEqual([]);
  } finally {
    proxy.setRule(undefined);
  }
  await rig.idle(60_000);
  expect(await kindsOf(secondView, 'down-1')).toEqual(['ServiceEntry']);
  const records = (await rig.audit.since(mark))
    .map((p) => p.record)
    .filter((r) => r.instance?.name.endsWith('/down-1'));
  // The redeliveries found the first cluster in step: it was written once, by the first delivery.
  expect(
    records
      .filter((r) => r.cluster === 'first' && r.outcome === 'applied')
      .map((r) => r.object.kind)
      .sort(),
  ).toEqual([...GATEWAY_MODE, 'Service'].sort());
  expect(records.filter((r) => r.cluster === 'second').map((r) => `${r.action} ${r.object.kind} ${r.outcome}`)).toEqual(
    ['create ServiceEntry applied'],
  );
  const failed = rig.logs().filter((l) => l['message'] === 'event failed; it will be retried');
  expect(failed.some((l) => String(l['error']).includes('cluster second:'))).toBe(true);
}, 120_000);

test('a resync with the second cluster down syncs the first and answers 503 naming the second', async () => {
  await rig.createInstance('resync-1');
  await rig.idle();
  // Drift in both clusters: the instance's ServiceEntry deleted behind the deployment's back.
  for (const view of [firstView, secondView]) {
    const entry = [...(await view.istioObjects()).values()].find(
      (o) => o.kind === 'ServiceEntry' && o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME]?.endsWith('/resync-1'),
    );
    await view.api.delete(entry!);
  }
  proxy.setRule(() => ({ status: 503 }));
  let answer;
  try {
    answer = await rig.resync();
  } finally {
    proxy.setRule(undefined);
  }
  expect(answer.status).toBe(503);
  expect(answer.body).toMatchObject({ retryable: true, error: expect.stringMatching(/^cluster second: /) });
  expect(answer.body['clusters']).toEqual([
    { cluster: 'first', summary: expect.objectContaining({ create: 1 }) },
    { cluster: 'second', summary: {}, failed: { error: expect.any(String), retryable: true } },
  ]);
  expect(await kindsOf(firstView, 'resync-1')).toEqual(GATEWAY_MODE);
  expect(await kindsOf(secondView, 'resync-1')).toEqual([]);

  const again = await rig.resync();
  expect(again.status).toBe(200);
  expect(again.body['clusters']).toEqual([
    { cluster: 'first', summary: expect.not.objectContaining({ create: expect.anything() }) },
    { cluster: 'second', summary: expect.objectContaining({ create: 1 }) },
  ]);
  expect(await kindsOf(secondView, 'resync-1')).toEqual(['ServiceEntry']);
}, 120_000);

test('an instance deleted loses its objects in both clusters', async () => {
  const name = await rig.createInstance('gone-1');
  await rig.idle();
  expect(await kindsOf(secondView, 'gone-1')).toEqual(['ServiceEntry']);
  const [operation] = await rig.redis.deleteInstance({ name });
  await operation.promise();
  await rig.idle();
  expect(await kindsOf(firstView, 'gone-1')).toEqual([]);
  expect(await kindsOf(secondView, 'gone-1')).toEqual([]);
}, 90_000);

test('a cluster that accepts and never answers costs an event its deadline: the first cluster is acknowledged, the second retried alone until it answers', async () => {
  const mark = rig.audit.count;
  const logsBefore = rig.logs().length;
  const republished = (): Array<Record<string, unknown>> =>
    rig
      .logs()
      .slice(logsBefore)
      .filter(
        (l) => l['message'] === 'event published again for the clusters that did not take it; the others are done',
      );
  proxy.setRule(() => 'hang');
  let first: Record<string, unknown>;
  try {
    const [operation] = await rig.redis.createInstance({
      parent: `projects/${PROJECT}/locations/us-central1`,
      instanceId: 'stuck-1',
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    await operation.promise();
    const started = Date.now();
    // Without a deadline the event would wait out the client's timeouts and retries (about a minute) and then fail.
    await until('the event to be published again for the stuck cluster', async () => republished().length > 0, 20_000);
    const took = Date.now() - started;
    expect(took).toBeLessThan((DEADLINE_SECONDS + 4) * 1000);
    first = republished()[0]!;
    expect(first).toMatchObject({
      clusters: ['second'],
      reason: expect.stringMatching(/^cluster second: .*did not finish within 4 s \(CLUSTER_DEADLINE_SECONDS\)/),
    });
    expect(await kindsOf(firstView, 'stuck-1')).toEqual(GATEWAY_MODE);
    // The first delivery was acknowledged (2xx) with the first cluster's change: only the second is retried.
    await until('the first delivery to be answered', async () =>
      rig.deliveries().some((d) => d.messageId === first['event_id']),
    );
    expect(
      rig
        .deliveries()
        .filter((d) => d.messageId === first['event_id'])
        .map((d) => d.status >= 200 && d.status < 300),
    ).toEqual([true]);
    // Its retry, delivered by the Pub/Sub server, fails while the cluster is stuck: redelivered, not published again.
    await until('a failed delivery of the retry', async () =>
      rig.deliveries().some((d) => d.messageId === first['retry_message_id'] && d.status >= 500),
    );
    expect(republished()).toHaveLength(1);
    expect(await kindsOf(secondView, 'stuck-1')).toEqual([]);
  } finally {
    proxy.setRule(undefined);
  }
  await rig.idle(60_000);
  expect(await kindsOf(secondView, 'stuck-1')).toEqual(['ServiceEntry']);
  const records = (await rig.audit.since(mark))
    .map((p) => p.record)
    .filter((r) => r.instance?.name.endsWith('/stuck-1'));
  // Each cluster written once; the second's record names the event that caused it, not the retry's message.
  expect(
    records
      .filter((r) => r.cluster === 'first' && r.outcome === 'applied')
      .map((r) => r.object.kind)
      .sort(),
  ).toEqual([...GATEWAY_MODE, 'Service'].sort());
  const second = records.filter((r) => r.cluster === 'second' && r.outcome === 'applied');
  expect(second.map((r) => `${r.action} ${r.object.kind}`)).toEqual(['create ServiceEntry']);
  expect(second[0]!.trigger).toMatchObject({ kind: 'event', event_id: first['event_id'] });
  expect(records.filter((r) => r.cluster === 'first').every((r) => r.trigger.event_id === first['event_id'])).toBe(
    true,
  );
}, 120_000);
