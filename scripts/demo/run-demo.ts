/**
 * The main job, locally: the whole event path on real components. Memorystore admin calls go to the local Memorystore
 * API, which logs audit entries to the Pub/Sub server; a bridge delivers them as CloudEvents to `syncOnAuditLog`,
 * served by the Functions Framework, which writes Istio objects to a real kube-apiserver with Istio's CRDs.
 * `resync` answers behind the local Cloud Run front. Everything is stopped on exit.
 */
import { execFile } from 'node:child_process';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { DEFAULT_OWNER_ID } from '../../dev/harness/control-plane/admission-policy.js';
import { localProductClients, localRedisClient, startFakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { startEventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { pubSubClient } from '../../dev/harness/pubsub/pstest-server.js';
import { REPO_ROOT } from '../../dev/harness/process.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { serveFunction, type ServedFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { functionEnvironment } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startRigStack } from '../../dev/rig/stack.js';
import { demoAccess, GKE_CLUSTER } from './access-step.js';
import { demoAmbient } from './ambient-step.js';
import { demoResync, RESYNC_URL } from './resync-step.js';
import { heading, say, showObjects, showRecords } from './show.js';
import { showRoutes, type Dialled } from './routes.js';

const PROJECT = 'demo-project';
const USER = `memorystore-egress-sync@${PROJECT}.iam.gserviceaccount.com`;
const SCHEDULER = `memorystore-egress-sync-scheduler@${PROJECT}.iam.gserviceaccount.com`;
const stops: Array<() => Promise<unknown>> = [];

async function step<T>(what: string, start: () => Promise<T>): Promise<T> {
  say(`starting ${what}...`);
  try {
    return await start();
  } catch (error) {
    throw new Error(`${what} failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  heading(
    'Starting the local stack (the first run builds kube-apiserver, etcd and pstest from Go modules, and Istio’s simulator while the first steps run: several minutes)',
  );
  const stack = await step('kube-apiserver + etcd with Istio CRDs, and the Pub/Sub server', () =>
    startRigStack({ users: [USER], istioTools: ['istio-sim'], istioToolsInBackground: true }),
  );
  stops.push(() => stack.stop());
  const { controlPlane } = stack;
  const pubsub = pubSubClient(stack.pubsubHost, PROJECT);
  stops.push(() => pubsub.close());
  const [events] = await pubsub.createTopic('redis-audit-logs');
  await events.createSubscription('sync-trigger', { ackDeadlineSeconds: 30 });
  const memorystore = await step('local Memorystore API', () =>
    startFakeMemorystore({
      projectId: PROJECT,
      pubsub: { client: pubsub, topic: events.name },
      principalEmail: 'alice@example.com',
    }),
  );
  stops.push(() => memorystore.stop());
  const env = functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: memorystore.endpoint,
      kubeconfig: controlPlane.kubeconfigFor(USER),
      namespace: 'istio-system',
      ownerId: DEFAULT_OWNER_ID,
      resync: { audience: RESYNC_URL, principals: ['operator@example.com', SCHEDULER], scheduler: SCHEDULER },
    },
    { MEMORYSTORE_PRODUCTS: 'redis,valkey,memcached' },
  );
  await prepareNamespace(controlPlane.adminKubeconfigPath, {
    namespace: 'istio-system',
    user: USER,
    ownerId: DEFAULT_OWNER_ID,
    functionEnv: env,
  });
  const fn: ServedFunction = await step('syncOnAuditLog (Functions Framework)', () =>
    serveFunction('syncOnAuditLog', env),
  );
  stops.push(() => fn.stop());
  const bridge = await step('event bridge (Pub/Sub to CloudEvents)', () =>
    startEventBridge({ client: pubsub, subscription: 'sync-trigger', targetUrl: fn.url, pubsubHost: stack.pubsubHost }),
  );
  stops.push(() => bridge.stop());
  say(
    `ready: kube-apiserver ${controlPlane.server}, Pub/Sub ${stack.pubsubHost}, Memorystore API ${memorystore.endpoint}, function ${fn.url}`,
  );

  const redis = localRedisClient(memorystore.port, PROJECT);
  stops.push(() => redis.close());
  const { valkey, memcache, cluster: redisCluster } = localProductClients(memorystore.port, PROJECT);
  stops.push(() => Promise.all([valkey.close(), memcache.close(), redisCluster.close()]));
  const cluster = new ClusterView(controlPlane.adminKubeconfigPath, 'istio-system');
  const orders = `projects/${PROJECT}/locations/us-central1/instances/orders-cache`;

  async function show(title: string, action: () => Promise<unknown>, withObjects = true): Promise<void> {
    heading(title);
    const mark = fn.lines.length;
    await action();
    await memorystore.published();
    await bridge.idle();
    if (withObjects) showObjects([...(await cluster.istioObjects()).values()], await cluster.gatewayServicePorts());
    const records = fn.lines
      .slice(mark)
      .filter((l) => l['message'] === 'audit record')
      .map((l) => l['record'] as AuditRecord);
    showRecords(records);
    for (const line of fn.lines.slice(mark).filter((l) => String(l['message']).startsWith('event acknowledged')))
      say(`log: ${String(line['message'])}`);
    await showRoutes(cluster, dialled());
  }
  // Every address an instance has had, so a re-addressed or deleted one shows as blocked.
  const seen = new Map<string, Dialled>();
  const dialled = (): Dialled[] => {
    for (const i of memorystore.instances()) {
      const id = i.name.split('/').at(-1)!;
      if (i.host && i.port) seen.set(`${i.host}:${i.port}`, { label: `${id} primary`, address: i.host, port: i.port });
      if (i.readEndpoint && i.readEndpointPort)
        seen.set(`${i.readEndpoint}:${i.readEndpointPort}`, {
          label: `${id} read`,
          address: i.readEndpoint,
          port: i.readEndpointPort,
        });
    }
    for (const i of memorystore.valkeyInstances()) {
      for (const { pscAutoConnection: c } of i.endpoints[0]?.connections ?? []) {
        // the second attachment of a cluster-mode instance: node ports only, no client port of its own
        if (!c.port) continue;
        const role = c.connectionType.replace('CONNECTION_TYPE_', '').toLowerCase();
        seen.set(`${c.ipAddress}:${c.port}`, {
          label: `valkey ${i.name.split('/').at(-1)!} ${role}`,
          address: c.ipAddress,
          port: c.port,
        });
      }
    }
    for (const i of memorystore.memcachedInstances()) {
      const id = i.name.split('/').at(-1)!;
      const [address = '', port = '11211'] = i.discoveryEndpoint.split(':');
      if (address) seen.set(i.discoveryEndpoint, { label: `memcached ${id} discovery`, address, port: Number(port) });
      for (const n of i.memcacheNodes)
        seen.set(`${n.host}:${n.port}`, { label: `memcached ${id} ${n.nodeId}`, address: n.host, port: n.port });
    }
    return [...seen.values()];
  };
  const done = async (call: Promise<[{ promise(): Promise<unknown> }, ...unknown[]]>): Promise<void> =>
    void (await (await call)[0].promise());

  await show('Create orders-cache (gcloud redis instances create)', () =>
    done(
      redis.createInstance({
        parent: `projects/${PROJECT}/locations/us-central1`,
        instanceId: 'orders-cache',
        instance: { tier: 'BASIC', memorySizeGb: 1 },
      }),
    ),
  );
  await show(
    'Resize orders-cache to 5 GB: the address stays, nothing changes',
    () =>
      done(
        redis.updateInstance({
          updateMask: { paths: ['memory_size_gb'] },
          instance: { name: orders, memorySizeGb: 5 },
        }),
      ),
    false,
  );
  await show('Re-address orders-cache: ServiceEntry and VirtualService follow', () =>
    memorystore.readdress(orders, { host: '10.120.0.9' }),
  );
  await show(
    'Create sessions-cache with in-transit encryption (port 6378)',
    () =>
      done(
        redis.createInstance({
          parent: `projects/${PROJECT}/locations/us-central1`,
          instanceId: 'sessions-cache',
          instance: { tier: 'BASIC', memorySizeGb: 1, transitEncryptionMode: 'SERVER_AUTHENTICATION' },
        }),
      ),
    false,
  );
  await show('Delete orders-cache: its objects go and its gateway port is freed into quarantine', () =>
    done(redis.deleteInstance({ name: orders })),
  );
  const region = `projects/${PROJECT}/locations/us-central1`;
  await show(
    'Create Valkey instance carts (gcloud memorystore instances create --mode=cluster-disabled --replica-count=1): primary and reader, like Redis',
    () =>
      done(
        valkey.createInstance({
          parent: region,
          instanceId: 'carts',
          instance: { mode: 'CLUSTER_DISABLED', replicaCount: 1 },
        }),
      ),
    false,
  );
  await show(
    'Create Memcached instance catalog with 2 nodes: the discovery endpoint and each node get their own gateway port',
    () =>
      done(
        memcache.createInstance({
          parent: region,
          instanceId: 'catalog',
          instance: { nodeCount: 2, nodeConfig: { cpuCount: 1, memorySizeMb: 1024 } },
        }),
      ),
    false,
  );
  await show(
    'Create Valkey instance shards in cluster mode: a sharded target cannot go through the egress gateway as plain TCP, so it is skipped with the reason',
    () =>
      done(
        valkey.createInstance({ parent: region, instanceId: 'shards', instance: { mode: 'CLUSTER', shardCount: 3 } }),
      ),
    false,
  );
  await demoResync({ env, scheduler: SCHEDULER, cluster, stops });
  heading('Operator command line: `memorystore-egress-sync plan` (what a resync would change now)');
  process.stdout.write(await runCli(['plan'], env));
  const sessions = memorystore.instances().find((i) => i.name.endsWith('/sessions-cache'))!;
  const declared = await demoAccess({
    env,
    cluster,
    pubsub,
    pubsubHost: stack.pubsubHost,
    events: events.name,
    subscription: 'sync-trigger',
    bridge,
    target: { label: 'sessions-cache primary', address: sessions.host, port: sessions.port },
    instance: sessions.name,
    stops,
  });
  await demoAmbient({
    declared,
    cluster,
    pubsub,
    pubsubHost: stack.pubsubHost,
    events: events.name,
    subscription: 'sync-trigger',
    instance: sessions.name,
    target: { address: sessions.host, port: sessions.port },
    gkeCluster: GKE_CLUSTER,
    stops,
  });
}

/** The operator command line, with the same environment as the function. */
function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`${REPO_ROOT}build/bin/memorystore-egress-sync.js`, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

main()
  .then(
    () => heading('Done: every step above ran through the real event path.'),
    (error: unknown) => {
      process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.stdout.write('stopped everything the demo started.\n');
  });
