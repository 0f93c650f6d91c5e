import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudRedisClient } from '@google-cloud/redis';
import type { PubSub } from '@google-cloud/pubsub';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import { startFaultProxy, type FaultProxy } from '../../dev/harness/kube-proxy/fault-proxy.js';
import { localRedisClient, startFakeMemorystore, type FakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { startEventBridge, type EventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { serveFunction, type ServedFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import type { PhaseTarget } from '../../dev/end-to-end/phase-target.js';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';
import { functionEnvironment } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';

export const PROJECT = 'chaos-project';
export const SYNC_USER = `memorystore-egress-sync@${PROJECT}.iam.gserviceaccount.com`;
export const OPERATOR = 'operator@example.com';
export const AUDIENCE = 'https://resync-chaos-uc.a.run.app';
export const PARENT = `projects/${PROJECT}/locations/us-central1`;

/** One phase's share of the local stack: its own namespace, topic, Memorystore, both functions (child processes). */
export interface PhaseStack extends PhaseTarget {
  readonly namespace: string;
  readonly cluster: ClusterView;
  readonly redis: CloudRedisClient;
  readonly memorystore: FakeMemorystore;
  readonly bridge: EventBridge;
  readonly proxy: FaultProxy;
  readonly events: ServedFunction;
  /** The environment both functions run with. */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export interface SharedParts {
  readonly controlPlane: ControlPlane;
  readonly pubsub: PubSub;
  /** The local Pub/Sub server's `host:port` (PUBSUB_EMULATOR_HOST). */
  readonly pubsubHost: string;
  readonly issuer: TokenIssuer;
}

/** The functions' OWNER_ID; the admission policy lets them write only objects labelled with it. */
export const OWNER_ID = 'chaos';

/**
 * Starts a phase's functions as deployed (the Functions Framework, the sync user bound only by the project's RBAC),
 * with every Kubernetes request of theirs going through a fault proxy the phase can turn on.
 */
export async function startPhaseStack(
  parts: SharedParts,
  namespace: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<PhaseStack> {
  const admin = parts.controlPlane.adminKubeconfigPath;
  const [topic] = await parts.pubsub.createTopic(`${namespace}-events`);
  await topic.createSubscription(`${namespace}-push`, { ackDeadlineSeconds: 60 });
  const memorystore = await startFakeMemorystore({
    projectId: PROJECT,
    pubsub: { client: parts.pubsub, topic: topic.name },
  });
  const proxy = await startFaultProxy(
    parts.controlPlane.kubeconfigFor(SYNC_USER),
    join(mkdtempSync(join(tmpdir(), 'chaos-')), 'proxy.kubeconfig'),
  );
  const env = functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: memorystore.endpoint,
      kubeconfig: proxy.kubeconfig,
      namespace,
      ownerId: OWNER_ID,
      resync: { audience: AUDIENCE, principals: [OPERATOR], certsUrl: parts.issuer.certsUrl },
    },
    settings,
  );
  await prepareNamespace(admin, { namespace, user: SYNC_USER, ownerId: OWNER_ID, functionEnv: env });
  const [events, resync] = await Promise.all([serveFunction('syncOnAuditLog', env), serveFunction('resync', env)]);
  const bridge = await startEventBridge({
    client: parts.pubsub,
    subscription: `${namespace}-push`,
    targetUrl: events.url,
  });
  const redis = localRedisClient(memorystore.port, PROJECT);
  return {
    namespace,
    cluster: new ClusterView(admin, namespace),
    redis,
    memorystore,
    bridge,
    proxy,
    events,
    functionEnv: env,
    parent: PARENT,
    deliveries: () => bridge.deliveries,
    quiet: (quietMs, timeoutMs) => bridge.idle(quietMs, timeoutMs),
    async resync(query = '') {
      const token = await parts.issuer.sign({ email: OPERATOR, audience: AUDIENCE });
      const response = await fetch(`${resync.url}${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(300_000),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown>,
      };
    },
    async stop() {
      await bridge.stop();
      await Promise.all([events.stop(), resync.stop()]);
      await redis.close();
      await memorystore.stop();
      await proxy.stop();
    },
  };
}
