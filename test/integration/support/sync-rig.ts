import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudRedisClient } from '@google-cloud/redis';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import {
  localProductClients,
  localRedisClient,
  startFakeMemorystore,
  type FakeMemorystore,
  type FakeMemorystoreOptions,
} from '../../../dev/harness/memorystore/index.js';
import { startCloudRunFront, type CloudRunFront } from '../../../dev/harness/cloud-run-front/index.js';
import { startEventBridge, type EventBridge } from '../../../dev/harness/pubsub/event-bridge.js';
import { pubSubClient } from '../../../dev/harness/pubsub/pstest-server.js';
import { captureLogs } from '../../support/capture-logs.js';
import { startTokenIssuer, type TokenIssuer } from '../../../dev/harness/id-tokens.js';
import { sharedStack, SYNC_USER } from '../shared-stack.js';
import { AuditReader } from './audit-reader.js';
import { ClusterView } from '../../../dev/end-to-end/cluster-view.js';
import type { PhaseTarget } from '../../../dev/end-to-end/phase-target.js';
import { functionEnvironment } from '../../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../../dev/rig/namespace.js';

export const PROJECT = 'test-project';
export const OPERATOR = 'operator@example.com';
export const SCHEDULER = 'scheduler@test-project.iam.gserviceaccount.com';
/** The resync service's `run.app` URL, as Cloud Run names it: the audience of its callers' tokens. */
export const AUDIENCE = 'https://resync-e2etest-uc.a.run.app';
/** Holds `roles/run.invoker` on the service (the front lets it through) but is not in RESYNC_ALLOWED_PRINCIPALS. */
export const INVOKER_ONLY = 'viewer@example.com';

/**
 * The whole event path on real components, for one test file: the local Memorystore API publishes audit entries to
 * the Pub/Sub server; a bridge delivers them as CloudEvents to `syncOnAuditLog` served by the real Functions
 * Framework; the functions write to the real kube-apiserver as the functions' own user, bound only to the RBAC the
 * project ships. Each file gets its own namespace (the apiserver has no controller to delete one). `resync` sits
 * behind the local Cloud Run front, with RESYNC_AUTH=cloud-run, as deployed.
 */
export interface SyncRig extends PhaseTarget {
  readonly namespace: string;
  readonly redis: CloudRedisClient;
  /** The Valkey and Memcached clients, on the same local API. */
  readonly products: ReturnType<typeof localProductClients>;
  readonly memorystore: FakeMemorystore;
  readonly cluster: ClusterView;
  readonly audit: AuditReader;
  readonly issuer: TokenIssuer;
  /** The local Cloud Run front in front of `resync`: what callers call. */
  readonly front: CloudRunFront;
  readonly resyncUrl: string;
  /** The Functions Framework serving `resync` itself, as only the front should reach it. */
  readonly functionUrl: string;
  /** The audit topic the functions publish to. */
  readonly auditTopic: Topic;
  /** Structured log lines the functions wrote. */
  logs(): Array<Record<string, unknown>>;
  /** Waits until every published audit entry has been delivered and handled (by default within 25 s). */
  idle(timeoutMs?: number): Promise<void>;
  /** Publishes an audit LogEntry to the events topic, as the Logging sink would. */
  publishAuditEntry(entry: Record<string, unknown>): Promise<void>;
  /** Deliveries the bridge made, with the function's HTTP status. */
  deliveries(): ReadonlyArray<{ messageId: string; status: number; attempt: number }>;
  createInstance(id: string, instance?: Record<string, unknown>, location?: string): Promise<string>;
  /** Calls resync through the front with a fresh token of `caller`. */
  resync(query?: string, caller?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export interface RigOptions {
  readonly namespace: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Custom audiences the front accepts besides AUDIENCE (the function still requires AUDIENCE). */
  readonly customAudiences?: readonly string[];
  /** Principals holding roles/run.invoker on resync (default: the operator, the scheduler and INVOKER_ONLY). */
  readonly invokers?: readonly string[];
  /** Projects the local Memorystore API serves beside PROJECT, their audit entries on the same events topic. */
  readonly otherProjects?: readonly string[];
  /** The local Cloud Asset Inventory's projects, and the projects whose entries reach the topic (default: all). */
  readonly inventory?: FakeMemorystoreOptions['inventory'];
  readonly routedProjects?: readonly string[];
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)),
  );
}

async function topics(client: PubSub, namespace: string): Promise<{ events: string; audit: string }> {
  const [events] = await client.createTopic(`${namespace}-redis-audit-logs`);
  const [audit] = await client.createTopic(`${namespace}-sync-audit`);
  await events.createSubscription(`${namespace}-events`, { ackDeadlineSeconds: 30 });
  await audit.createSubscription(`${namespace}-audit-reader`, { ackDeadlineSeconds: 30 });
  return { events: events.name, audit: audit.name };
}

export async function startRig(options: RigOptions): Promise<SyncRig> {
  const stack = sharedStack();
  const { namespace } = options;
  const pubsub = pubSubClient(stack.pubsubHost, PROJECT);
  const topicNames = await topics(pubsub, namespace);
  const memorystore = await startFakeMemorystore({
    projectId: PROJECT,
    ...(options.otherProjects ? { otherProjects: options.otherProjects } : {}),
    pubsub: {
      client: pubsub,
      topic: topicNames.events,
      ...(options.routedProjects ? { routedProjects: options.routedProjects } : {}),
    },
    ...(options.inventory ? { inventory: options.inventory } : {}),
  });
  const issuer = await startTokenIssuer();
  const env = functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: memorystore.endpoint,
      kubeconfig: stack.syncUserKubeconfig,
      namespace,
      ownerId: 'e2e',
      resync: {
        audience: AUDIENCE,
        principals: [OPERATOR, SCHEDULER],
        scheduler: SCHEDULER,
        certsUrl: issuer.certsUrl,
      },
      audit: { topic: topicNames.audit, pubsubHost: stack.pubsubHost, required: true },
    },
    { RESYNC_AUTH: 'cloud-run', ...options.env },
  );
  // RBAC and the admission policy, as Terraform installs them: the functions run with no more than that.
  await prepareNamespace(stack.adminKubeconfig, {
    namespace,
    user: SYNC_USER,
    ownerId: env['OWNER_ID']!,
    functionEnv: env,
  });
  Object.assign(process.env, env);

  const logs = captureLogs();
  await import('../../../functions/index.js');
  const eventServer = getTestServer('syncOnAuditLog');
  const resyncServer = getTestServer('resync');
  const [eventUrl, functionUrl] = await Promise.all([listen(eventServer), listen(resyncServer)]);
  const front = await startCloudRunFront({
    target: functionUrl,
    serviceUrl: AUDIENCE,
    invokers: options.invokers ?? [OPERATOR, SCHEDULER, INVOKER_ONLY],
    certsUrl: issuer.certsUrl,
    ...(options.customAudiences ? { customAudiences: options.customAudiences } : {}),
  });
  const bridge: EventBridge = await startEventBridge({
    client: pubsub,
    subscription: `${namespace}-events`,
    targetUrl: eventUrl,
    pubsubHost: stack.pubsubHost,
  });
  const audit = new AuditReader(pubsub.subscription(`${namespace}-audit-reader`), {
    pubsubHost: stack.pubsubHost,
    topic: topicNames.audit,
  });
  const redis = localRedisClient(memorystore.port, PROJECT);
  const products = localProductClients(memorystore.port, PROJECT);
  const cluster = new ClusterView(stack.adminKubeconfig, namespace);
  // An operation's last entry is published just after it is marked done, which a client may see first.
  const idle = async (timeoutMs?: number): Promise<void> => {
    await memorystore.published();
    await bridge.idle(undefined, timeoutMs);
  };

  return {
    namespace,
    redis,
    products,
    memorystore,
    cluster,
    audit,
    issuer,
    front,
    resyncUrl: front.url,
    functionUrl,
    auditTopic: pubsub.topic(topicNames.audit),
    logs: logs.lines,
    parent: `projects/${PROJECT}/locations/us-central1`,
    idle,
    quiet: (quietMs, timeoutMs) => bridge.idle(quietMs, timeoutMs),
    async publishAuditEntry(entry) {
      await pubsub.topic(topicNames.events).publishMessage({ json: entry });
    },
    deliveries: () => bridge.deliveries,
    async createInstance(id, instance = {}, location = 'us-central1') {
      const [operation] = await redis.createInstance({
        parent: `projects/${PROJECT}/locations/${location}`,
        instanceId: id,
        instance: { tier: 'BASIC', memorySizeGb: 1, ...instance },
      });
      await operation.promise();
      await idle();
      return `projects/${PROJECT}/locations/${location}/instances/${id}`;
    },
    async resync(query = '', caller = OPERATOR) {
      const token = await issuer.sign({ email: caller, audience: AUDIENCE });
      const response = await fetch(`${front.url}${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async stop() {
      await bridge.stop();
      await audit.close();
      await redis.close();
      await Promise.all([products.valkey.close(), products.memcache.close(), products.cluster.close()]);
      await memorystore.stop();
      await front.stop();
      await issuer.close();
      await new Promise((resolve) => eventServer.close(resolve));
      await new Promise((resolve) => resyncServer.close(resolve));
      await pubsub.close();
      logs.restore();
    },
  };
}
