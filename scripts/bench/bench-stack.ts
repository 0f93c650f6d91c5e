import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, PubSub } from '@google-cloud/pubsub';
import type { CloudRedisClient } from '@google-cloud/redis';
import {
  createEgressGatewayFixtures,
  writeKubeconfig,
  type ControlPlane,
} from '../../dev/harness/control-plane/index.js';
import {
  localProductClients,
  localRedisClient,
  startFakeMemorystore,
  type FakeMemorystore,
} from '../../dev/harness/memorystore/index.js';
import { functionEnvironment, GATEWAY_SERVICE } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { PRODUCTS } from '../../shared/products/registry.js';
import { AUDIT_POLICY, AuditLog } from './audit-log.js';
import { sleep } from './bounded.js';
import { gkeTarget, type GkeTarget } from './gke-target.js';
import { apiserverPid, processCpuSeconds } from './process-cpu.js';
import { startProxyProcess, type ProxyProcess } from './proxy-child.js';
import type { ProductClients } from './seed-memorystore.js';

/** The functions' OWNER_ID; the admission policy lets them write only objects labelled with it. */
const OWNER_ID = 'bench';
/**
 * The default range (16000-16999) holds 1,000 ports: too few for the larger sizes, and for the 20,000-port phase (a
 * Memcached instance has an endpoint per node besides its discovery endpoint). The admission policy holds it.
 */
export const GATEWAY_PORT_RANGE = '20000-59999';

export const PROJECT = 'bench-project';
export const SYNC_USER = `memorystore-egress-sync@${PROJECT}.iam.gserviceaccount.com`;
/** Where the project writes; the kubectl baseline writes the same objects into a namespace of its own. */
export const PROJECT_NAMESPACE = 'istio-system';
export const BASELINE_NAMESPACE = 'kubectl-baseline';
/** Where the ceiling probe writes the same objects again. */
export const CEILING_NAMESPACE = 'ceiling-probe';
export { GATEWAY_SERVICE };

/** One size's world: a fresh apiserver (so earlier sizes leave nothing behind), counted, and a Memorystore API. */
export interface SizeStack {
  readonly controlPlane: ControlPlane;
  /** The kube-apiserver's process, for its CPU time. */
  readonly apiserverPid: number;
  /** The apiserver's CPU seconds per second when nobody asks anything of it, measured once the stack is up. */
  readonly apiserverIdleCpuPerS: number;
  readonly proxy: ProxyProcess;
  /** The cluster as the deployed functions reach GKE (server, CA, a token from a metadata server), via the proxy. */
  readonly gke: GkeTarget['gke'];
  /** The Pub/Sub topic the functions publish their audit records to (AUDIT_TOPIC), on the bench's Pub/Sub server. */
  readonly auditTopic: string;
  /** Audit records the functions have published to it so far: the proof that the deployed publishing ran. */
  auditRecords(): number;
  readonly pubsubHost: string;
  readonly audit: AuditLog;
  readonly memorystore: FakeMemorystore;
  readonly redis: CloudRedisClient;
  /** The other three products' clients on the same local API. */
  readonly clients: ProductClients;
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
  for (const namespace of [BASELINE_NAMESPACE, CEILING_NAMESPACE])
    await createEgressGatewayFixtures(adminKubeconfig, { namespace, service: GATEWAY_SERVICE });
}

const IDLE_SAMPLE_MS = 3000;

/** The apiserver's own background CPU (its loops, etcd watches), to tell it apart from what a phase costs it. */
export async function idleCpuPerS(pid: number): Promise<number> {
  const before = processCpuSeconds(pid);
  await sleep(IDLE_SAMPLE_MS);
  return (processCpuSeconds(pid) - before) / (IDLE_SAMPLE_MS / 1000);
}

/** The Pub/Sub server the functions' audit records and the Memorystore API's audit entries go to. */
export interface BenchPubSub {
  readonly client: PubSub;
  /** `host:port`, for the functions' PUBSUB_EMULATOR_HOST. */
  readonly host: string;
}

export async function startSizeStack(pubsubServer: BenchPubSub, size: number): Promise<SizeStack> {
  const pubsub = pubsubServer.client;
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
    const cluster = await gkeTarget(controlPlane, SYNC_USER, PROJECT);
    stops.push(() => cluster.close());
    const [topic] = await pubsub.createTopic(`redis-audit-logs-${size}-${Date.now()}`);
    const [auditTopic] = await pubsub.createTopic(`sync-audit-records-${size}-${Date.now()}`);
    const [auditReader] = await auditTopic.createSubscription(`audit-count-${size}-${Date.now()}`);
    let auditRecords = 0;
    auditReader.on('message', (message: Message) => {
      auditRecords++;
      message.ack();
    });
    stops.push(() => auditReader.close());
    const memorystore = await startFakeMemorystore({
      projectId: PROJECT,
      pubsub: { client: pubsub, topic: topic.name },
      settleDelayMs: 20,
    });
    stops.push(() => memorystore.stop());
    const redis = localRedisClient(memorystore.port, PROJECT);
    stops.push(() => redis.close());
    const others = localProductClients(memorystore.port, PROJECT);
    stops.push(() => Promise.allSettled([others.valkey.close(), others.memcache.close(), others.cluster.close()]));
    const adminKubeconfig = writeKubeconfig(
      join(workDir, 'admin.kubeconfig'),
      proxy.url,
      'admin',
      controlPlane.adminToken,
      join(controlPlane.dataDir, 'certs/apiserver.crt'),
    );
    const pid = apiserverPid(controlPlane.server);
    return {
      controlPlane,
      apiserverPid: pid,
      apiserverIdleCpuPerS: await idleCpuPerS(pid),
      proxy,
      // The proxy's certificate is the apiserver's (both are 127.0.0.1), so the CA holds.
      gke: { ...cluster.gke, server: proxy.url },
      auditTopic: auditTopic.name,
      auditRecords: () => auditRecords,
      pubsubHost: pubsubServer.host,
      audit: new AuditLog(controlPlane.auditLogPath!),
      memorystore,
      redis,
      clients: { redis, ...others },
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

/**
 * The functions' configuration as Terraform deploys it, pointed at the local stack: the GKE path (no kubeconfig, so
 * @kubernetes/client-node is not loaded), audit records published to AUDIT_TOPIC, all four products enabled.
 */
export function functionEnv(
  stack: SizeStack,
  resync: { audience: string; caller: string; certsUrl: string },
): Record<string, string> {
  return functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: stack.memorystore.endpoint,
      kubeconfig: stack.syncKubeconfig,
      gke: stack.gke,
      namespace: PROJECT_NAMESPACE,
      ownerId: OWNER_ID,
      resync: { audience: resync.audience, principals: [resync.caller], certsUrl: resync.certsUrl },
      audit: { topic: stack.auditTopic, pubsubHost: stack.pubsubHost, required: false },
    },
    { GATEWAY_PORT_RANGE, MEMORYSTORE_PRODUCTS: PRODUCTS.join(',') },
  );
}
