import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import type { CloudRedisClient } from '@google-cloud/redis';
import {
  createEgressGatewayFixtures,
  writeKubeconfig,
  type ControlPlane,
} from '../../dev/harness/control-plane/index.js';
import { localRedisClient, startFakeMemorystore, type FakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { functionEnvironment, GATEWAY_SERVICE } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { AUDIT_POLICY, AuditLog } from './audit-log.js';
import { startProxyProcess, type ProxyProcess } from './proxy-child.js';

/** The functions' OWNER_ID; the admission policy lets them write only objects labelled with it. */
const OWNER_ID = 'bench';
/** The default range (16000-16999) holds 1,000 ports: too few for the larger sizes. The admission policy holds it. */
const GATEWAY_PORT_RANGE = '20000-39999';

export const PROJECT = 'bench-project';
export const SYNC_USER = `memorystore-egress-sync@${PROJECT}.iam.gserviceaccount.com`;
/** Where the project writes; the kubectl baseline writes the same objects into a namespace of its own. */
export const PROJECT_NAMESPACE = 'istio-system';
export const BASELINE_NAMESPACE = 'kubectl-baseline';
export { GATEWAY_SERVICE };

/** One size's world: a fresh apiserver (so earlier sizes leave nothing behind), counted, and a Memorystore API. */
export interface SizeStack {
  readonly controlPlane: ControlPlane;
  readonly proxy: ProxyProcess;
  readonly audit: AuditLog;
  readonly memorystore: FakeMemorystore;
  readonly redis: CloudRedisClient;
  /** Kubeconfigs through the counting proxy: the functions' user (project RBAC only) and the admin (kubectl). */
  readonly syncKubeconfig: string;
  readonly adminKubeconfig: string;
  readonly eventsTopic: string;
  readonly workDir: string;
  stop(): Promise<void>;
}

/** A copy of a kubeconfig that reaches the apiserver through the proxy (same certificate: both are 127.0.0.1). */
function throughProxy(path: string, from: string, to: string): string {
  const copy = path.replace(/\.kubeconfig$/, '.proxy.kubeconfig');
  writeFileSync(copy, readFileSync(path, 'utf8').replace(from, to), { mode: 0o600 });
  return copy;
}

async function namespaces(adminKubeconfig: string): Promise<void> {
  await prepareNamespace(adminKubeconfig, {
    namespace: PROJECT_NAMESPACE,
    user: SYNC_USER,
    ownerId: OWNER_ID,
    functionEnv: { GATEWAY_PORT_RANGE },
  });
  await createEgressGatewayFixtures(adminKubeconfig, { namespace: BASELINE_NAMESPACE, service: GATEWAY_SERVICE });
}

export async function startSizeStack(pubsub: PubSub, size: number): Promise<SizeStack> {
  const workDir = mkdtempSync(join(tmpdir(), `bench-${size}-`));
  const controlPlane = await startRigCluster({ users: [SYNC_USER], auditPolicy: AUDIT_POLICY });
  const stops: Array<() => Promise<unknown>> = [
    async () => rmSync(workDir, { recursive: true, force: true }),
    () => controlPlane.stop(),
  ];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    await namespaces(controlPlane.adminKubeconfigPath);
    const proxy = await startProxyProcess(controlPlane.server);
    stops.push(() => proxy.stop());
    const [topic] = await pubsub.createTopic(`redis-audit-logs-${size}-${Date.now()}`);
    const memorystore = await startFakeMemorystore({
      projectId: PROJECT,
      pubsub: { client: pubsub, topic: topic.name },
      settleDelayMs: 20,
    });
    stops.push(() => memorystore.stop());
    const redis = localRedisClient(memorystore.port, PROJECT);
    stops.push(() => redis.close());
    const adminKubeconfig = writeKubeconfig(
      join(workDir, 'admin.kubeconfig'),
      proxy.url,
      'admin',
      controlPlane.adminToken,
      join(controlPlane.dataDir, 'certs/apiserver.crt'),
    );
    return {
      controlPlane,
      proxy,
      audit: new AuditLog(controlPlane.auditLogPath!),
      memorystore,
      redis,
      syncKubeconfig: throughProxy(controlPlane.kubeconfigFor(SYNC_USER), controlPlane.server, proxy.url),
      adminKubeconfig,
      eventsTopic: topic.name,
      workDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The functions' configuration, as Terraform would set it, pointed at the local stack. */
export function functionEnv(
  stack: SizeStack,
  resync: { audience: string; caller: string; certsUrl: string },
): Record<string, string> {
  return functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: stack.memorystore.endpoint,
      kubeconfig: stack.syncKubeconfig,
      namespace: PROJECT_NAMESPACE,
      ownerId: OWNER_ID,
      resync: { audience: resync.audience, principals: [resync.caller], certsUrl: resync.certsUrl },
    },
    { GATEWAY_PORT_RANGE },
  );
}
